// The CRDs on a real API server: every bad manifest in test/fixtures/invalid is rejected at apply
// time with the message its `# expect:` lines name, and every good one in test/fixtures/valid is
// accepted. (Server-side dry run: full admission, schema and CEL, nothing stored.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { KubeApiError } from '../../src/kube/kube-api-error.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { loadFixtures } from '../harness/fixtures.js';
import { installAgentryCrds } from '../harness/operator.js';

const kc = kubeConfig();
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));
let ns = '';

beforeAll(async () => {
  await installAgentryCrds();
  ns = await namespaces.create('admission');
}, 60_000);
afterAll(async () => {
  await namespaces.deleteAll();
  client.close();
});

const inNamespace = (object: unknown): KubeObject => {
  const obj = structuredClone(object) as KubeObject;
  return { ...obj, metadata: { ...obj.metadata, namespace: ns } };
};

describe('the Agentry CRDs on a real API server', () => {
  const invalid = loadFixtures('invalid');
  const valid = loadFixtures('valid');

  it('has a corpus worth the name', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(40);
    expect(invalid.every((f) => f.expects.length > 0)).toBe(true);
  });

  it.each(invalid.map((f) => [f.file, f] as const))('rejects %s with the expected message', async (_file, fixture) => {
    const error = await client.create(inNamespace(fixture.object), { dryRun: true }).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(KubeApiError);
    const apiError = error as KubeApiError;
    expect(apiError.statusCode).toBe(422);
    for (const expected of fixture.expects) expect(apiError.message).toContain(expected);
  });

  it.each(valid.map((f) => [f.file, f] as const))('accepts %s', async (_file, fixture) => {
    const created = await client.create(inNamespace(fixture.object), { dryRun: true });
    expect(created.metadata.name).toBe((fixture.object as KubeObject).metadata.name);
  });
});
