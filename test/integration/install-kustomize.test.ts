// The kustomize bases on a real API server: what `kustomize build` makes of config/default (the
// same as `kubectl kustomize`) passes a strict server-side dry run, moved into a namespace of this
// test's own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';

import { KubeClient } from '../../src/kube/kube-client.js';
import { connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { dryRunApply } from '../unit/install/support/dry-run.js';
import { kustomizeBinary, kustomizeBuild } from '../unit/install/support/kustomize.js';
import { objectName } from '../unit/install/support/manifests.js';
import { remapNamespaces } from '../unit/install/support/namespaces.js';

const kc = kubeConfig();
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));

// Built from its Go module on first use.
beforeAll(async () => {
  await kustomizeBinary();
}, 600_000);

afterAll(async () => {
  await namespaces.deleteAll();
  client.close();
});

describe('the kustomize bases on a real API server', () => {
  it.each(['config/default', 'config/operator', 'config/crd'])('%s passes a strict server-side dry run', async (dir) => {
    const ns = await namespaces.create('kustomize');
    const objects = remapNamespaces(await kustomizeBuild(dir), new Map([['agentry-system', ns]]));
    expect(objects.length).toBeGreaterThan(0);
    const accepted: string[] = [];
    for (const o of objects) {
      await dryRunApply(client, o);
      accepted.push(objectName(o));
    }
    expect(accepted).toEqual(objects.map(objectName));
  }, 60_000);
});
