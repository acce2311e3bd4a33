// Property-based fuzzing of the reconciler's input handling: whatever an Agent looks like (a
// schema-valid one, one with junk where its spec should be, one whose ModelConfig is missing), a
// reconcile never throws, never applies a child of an Agent it does not accept, always reports
// Accepted with a reason, and applies exactly what render asks for when it does accept.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { defaultOperatorConfig } from '../../../src/config/operator-config.js';
import { noopLogger } from '../../../src/controller/logger.js';
import type { KubeClient } from '../../../src/kube/kube-client.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { AgentReconciler } from '../../../src/operator/agent-reconciler.js';
import type { EventRecorder } from '../../../src/operator/event-recorder.js';
import { InformerSet, type ObjectLookup } from '../../../src/operator/informer-set.js';
import { agent as validAgent, modelConfigFor } from '../render/agent-arbitraries.js';

interface Call {
  verb: 'apply' | 'patch' | 'delete' | 'create';
  obj: KubeObject;
  subresource?: string;
}

function lookup(objects: readonly KubeObject[]): ObjectLookup {
  return {
    get: (ns, name) => objects.find((o) => o.metadata.namespace === ns && o.metadata.name === name),
    list: (ns, filter) => objects.filter((o) => (ns === undefined || o.metadata.namespace === ns) && filter(o)),
  };
}

async function reconcileOnce(agentObj: KubeObject, modelConfigs: readonly KubeObject[]) {
  const calls: Call[] = [];
  const client = {
    apply: (obj: KubeObject, opts: { subresource?: string }) => {
      calls.push({ verb: 'apply', obj, ...(opts.subresource ? { subresource: opts.subresource } : {}) });
      return Promise.resolve(obj);
    },
    patch: (obj: KubeObject) => (calls.push({ verb: 'patch', obj }), Promise.resolve(obj)),
    delete: (obj: KubeObject) => (calls.push({ verb: 'delete', obj }), Promise.resolve(true)),
    create: (obj: KubeObject) => (calls.push({ verb: 'create', obj }), Promise.resolve(obj)),
  } as unknown as KubeClient;
  const events: string[] = [];
  const recorder = { record: (_o: KubeObject, _t: string, reason: string) => (events.push(reason), Promise.resolve()) } as unknown as EventRecorder;
  const reconciler = new AgentReconciler({
    client,
    agents: lookup([agentObj]),
    modelConfigs: lookup(modelConfigs),
    children: new InformerSet(),
    config: defaultOperatorConfig(),
    recorder,
    now: () => new Date('2026-11-21T00:00:00Z'),
  });
  const ac = new AbortController();
  await reconciler.reconcile({ namespace: agentObj.metadata.namespace, name: agentObj.metadata.name }, { signal: ac.signal, logger: noopLogger });
  return { calls, events };
}

const junkSpec = fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('type', 'declarative', 'byo', 'a2aConfig', 'deployment', 'exposure'), fc.anything()));

const scenario = fc.oneof(
  // A valid Agent with its ModelConfig, when it needs one.
  validAgent.chain((a) => {
    const mc = a.spec.declarative?.modelConfig;
    return (mc ? modelConfigFor(mc, a.metadata.namespace).map((m) => [m as unknown as KubeObject]) : fc.constant([])).map((mcs) => ({ agent: a as unknown as KubeObject, modelConfigs: mcs }));
  }),
  // A valid Declarative Agent whose ModelConfig is missing.
  validAgent.filter((a) => a.spec.type === 'Declarative').map((a) => ({ agent: a as unknown as KubeObject, modelConfigs: [] as KubeObject[] })),
  // Junk where the spec should be (what a CRD with schema validation off, or a bug, could deliver).
  fc.tuple(validAgent, junkSpec).map(([a, spec]) => ({ agent: { ...a, spec }, modelConfigs: [] as KubeObject[] })),
);

describe('the reconciler, for any Agent', () => {
  it('never throws; applies children only for an accepted Agent; always reports Accepted', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ agent, modelConfigs }) => {
        const { calls } = await reconcileOnce(agent, modelConfigs);
        const statusWrites = calls.filter((c) => c.subresource === 'status');
        expect(statusWrites).toHaveLength(1);
        const status = statusWrites[0]?.obj.status as { conditions: { type: string; status: string; reason: string; message: string }[] };
        const accepted = status.conditions.find((c) => c.type === 'Accepted');
        expect(accepted?.reason).toMatch(/^[A-Za-z]+$/);
        const childApplies = calls.filter((c) => c.verb === 'apply' && !c.subresource);
        if (accepted?.status === 'True') {
          expect(childApplies.length).toBeGreaterThanOrEqual(4); // SA or not, ConfigMap, Deployment, Service, ...
          for (const c of childApplies) expect(c.obj.metadata.annotations?.['agentry.dev/applied-hash']).toMatch(/^[0-9a-f]{16}$/);
        } else {
          expect(accepted?.status).toBe('False');
          expect(accepted?.message.length).toBeGreaterThan(0);
          expect(childApplies).toEqual([]);
          expect(calls.filter((c) => c.verb === 'delete')).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same input gives the same writes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ agent, modelConfigs }) => {
        const first = await reconcileOnce(agent, modelConfigs);
        const second = await reconcileOnce(agent, modelConfigs);
        expect(JSON.stringify(second.calls)).toBe(JSON.stringify(first.calls));
      }),
      { numRuns: 100 },
    );
  });
});
