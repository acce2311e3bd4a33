// design.md promises that render's output "passes a server-side dry-run": here a sample of what it
// outputs for generated Agents (the scenarios of the property tests, test/unit/render/
// render-scenarios.ts) is server-side applied with dryRun=All and strict field validation on the real
// API server. Its schemas, defaulting, validation (Deployment, Service, NetworkPolicy, the Gateway API
// CRDs' OpenAPI and CEL rules) and admission all run; nothing is created.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import fc from 'fast-check';

import { KubeClient } from '../../src/kube/kube-client.js';
import { connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { installAgentryCrds } from '../harness/operator.js';
import { dryRunApply } from '../unit/install/support/dry-run.js';
import { renderable, rendered } from '../unit/render/render-scenarios.js';

const SAMPLES = 100;
/** Every kind render can output: a sample without one of them would prove nothing about it. */
const ALL_KINDS = ['ConfigMap', 'Deployment', 'HTTPRoute', 'NetworkPolicy', 'ReferenceGrant', 'Service', 'ServiceAccount'];
// Random, and printed with any failure: AGENTRY_DRY_RUN_SEED=<seed> repeats the same sample.
const seed = Number(process.env.AGENTRY_DRY_RUN_SEED ?? Math.floor(Math.random() * 2 ** 31));

const kc = kubeConfig();
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));
let agentNamespace = '';
let routeNamespace = '';

beforeAll(async () => {
  // The owner references name Agents: the API server resolves their kind (blockOwnerDeletion).
  await installAgentryCrds();
  agentNamespace = await namespaces.create('render-dry-run');
  routeNamespace = await namespaces.create('render-dry-run-routes');
}, 60_000);

afterAll(async () => {
  await namespaces.deleteAll();
  client.close();
});

describe('render output on a real API server', () => {
  it('passes a strict server-side dry-run apply, for a sample of generated Agents', async () => {
    const scenarios = fc.sample(renderable({ namespace: agentNamespace, routeNamespace }), { numRuns: SAMPLES, seed });
    const refused: string[] = [];
    const kinds = new Set<string>();
    for (const [index, scenario] of scenarios.entries()) {
      for (const object of rendered(scenario)) {
        kinds.add(object.kind);
        try {
          await dryRunApply(client, object);
        } catch (err) {
          refused.push(`sample ${index} (seed ${seed}): ${(err as Error).message}\n  agent: ${JSON.stringify(scenario.agent)}\n  object: ${JSON.stringify(object)}`);
        }
      }
    }
    expect(refused).toEqual([]);
    expect([...kinds].sort()).toEqual(ALL_KINDS);
  }, 180_000);
});
