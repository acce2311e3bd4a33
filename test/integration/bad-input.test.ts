// Input that gets past the API server but must not be applied: each Agent in
// test/fixtures/past-admission reports Accepted=False with a reason and a message naming the field,
// gets an Event, and has no children; odd-but-valid input renders faithfully; and the operator neither
// crashes nor retries or writes afterwards, through a full resync. (Inputs the API server itself rejects:
// api-admission.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { parseOperatorConfig } from '../../src/config/operator-config.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { eventually, connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { auditEvents } from '../harness/audit-log.js';
import { afterAResync, counterValue, installAgentryCrds, startTestOperator, type TestOperator } from '../harness/operator.js';

const dir = fileURLToPath(new URL('../fixtures/past-admission', import.meta.url));
const config = parseOperatorConfig(readFileSync(join(dir, 'operator-config.yaml'), 'utf8'));

interface Case {
  file: string;
  objects: KubeObject[];
  agent: string;
  reason?: string;
  message?: string;
}

const cases: Case[] = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml') && f !== 'operator-config.yaml')
  .sort()
  .map((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const objects = YAML.parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter(Boolean);
    const tag = (name: string) => [...text.matchAll(/^# (expect-[a-z]+): (.*)$/gm)].find((m) => m[1] === name)?.[2];
    return { file, objects, agent: objects.find((o) => o.kind === 'Agent')?.metadata.name ?? '', reason: tag('expect-reason'), message: tag('expect-message') };
  });
const refused = cases.filter((c) => c.reason);
const odd = cases.filter((c) => !c.reason);

const kc = kubeConfig();
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));
let ns = '';
let op: TestOperator;

interface AgentObject extends KubeObject {
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason: string; message: string }[] };
}
const accepted = (a: AgentObject | undefined) => a?.status?.conditions?.find((c) => c.type === 'Accepted');

beforeAll(async () => {
  await installAgentryCrds();
  ns = await namespaces.create('bad-input');
  op = await startTestOperator([ns], { gateway: config.gateway, networkPolicy: config.networkPolicy });
  for (const c of cases) for (const obj of c.objects) await client.apply({ ...obj, metadata: { ...obj.metadata, namespace: ns } }, { fieldManager: 'test', force: true });
}, 120_000);

afterAll(async () => {
  await op?.stop();
  await namespaces.deleteAll();
  client.close();
});

describe('input the API server accepts but the operator must not apply', () => {
  it('has cases of every kind', () => {
    expect(refused.length).toBeGreaterThanOrEqual(12);
    expect(new Set(refused.map((c) => c.reason))).toEqual(new Set(['InvalidExposure', 'InvalidSpec', 'ModelConfigNotFound']));
  });

  it.each(refused.map((c) => [c.file, c] as const))('%s: Accepted=False with the reason, an Event, and no children', async (_file, c) => {
    const agent = await eventually(async () => {
      const a = await client.find<AgentObject>('agentry.dev/v1alpha1', 'Agent', ns, c.agent);
      return accepted(a)?.status === 'False' ? a : undefined;
    });
    expect(accepted(agent)).toMatchObject({ reason: c.reason, message: expect.stringContaining(c.message ?? '') });
    for (const [apiVersion, kind] of [['v1', 'ServiceAccount'], ['v1', 'ConfigMap'], ['v1', 'Service'], ['apps/v1', 'Deployment'], ['networking.k8s.io/v1', 'NetworkPolicy']] as const) {
      expect(await client.find(apiVersion, kind, ns, c.agent)).toBeUndefined();
    }
    const events = await client.list<KubeObject & { reason?: string; involvedObject?: { name?: string } }>('v1', 'Event', ns);
    expect(events.filter((e) => e.involvedObject?.name === c.agent).map((e) => e.reason)).toContain(c.reason);
  });

  it.each(odd.map((c) => [c.file, c] as const))('%s: accepted and rendered faithfully', async (_file, c) => {
    await eventually(async () => accepted(await client.find<AgentObject>('agentry.dev/v1alpha1', 'Agent', ns, c.agent))?.status === 'True');
    const cm = await eventually(() => client.find<KubeObject & { data: Record<string, string> }>('v1', 'ConfigMap', ns, c.agent));
    const spec = c.objects.find((o) => o.kind === 'Agent')?.spec as { description?: string; declarative?: { systemMessage?: string } };
    if (spec.description) expect((JSON.parse(cm.data['agent-card.json'] ?? '{}') as { description: string }).description).toBe(spec.description);
    if (spec.declarative?.systemMessage) expect((JSON.parse(cm.data['agent.json'] ?? '{}') as { systemMessage?: string }).systemMessage).toBe(spec.declarative.systemMessage);
  });

  it('settles: once every Agent has its verdict, a full resync writes and retries nothing', async () => {
    await eventually(async () => {
      const agents = await client.list<AgentObject>('agentry.dev/v1alpha1', 'Agent', ns);
      const valid = new Set(odd.map((c) => c.agent));
      return (
        agents.length === cases.length &&
        agents.every((a) => a.status?.observedGeneration === a.metadata.generation) &&
        // The valid ones have Deployments rolling out; their status changes are events too.
        agents.filter((a) => valid.has(a.metadata.name)).every((a) => a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      );
    }, 60_000);
    // The same operator, with a short resync: every Agent, refused or not, is looked at again.
    await op.stop();
    const resyncPeriodSeconds = 2;
    op = await startTestOperator([ns], { gateway: config.gateway, networkPolicy: config.networkPolicy, resyncPeriodSeconds });
    // Its first pass may still finish what the first operator left: the second resync is measured.
    await afterAResync(op, cases.length, resyncPeriodSeconds * 1000);
    const since = new Date();
    const errors = await counterValue(op.registry, 'controller_runtime_reconcile_errors_total');
    const requeues = await requeued(op);
    await afterAResync(op, cases.length, resyncPeriodSeconds * 1000);
    // A refused Agent is not retried (no error, no requeue), and nothing is written for any of them.
    expect((await counterValue(op.registry, 'controller_runtime_reconcile_errors_total')) - errors).toBe(0);
    expect((await requeued(op)) - requeues).toBe(0);
    expect(await auditEvents({ since, userAgent: op.userAgent })).toEqual([]);
    expect(op.operator.isLeader()).toBe(true); // still running
  }, 90_000);
});

/** Reconciles that asked to run again (requeue, requeue after a delay). */
async function requeued(operator: TestOperator): Promise<number> {
  const total = (result: string) => counterValue(operator.registry, 'controller_runtime_reconcile_total', { result });
  return (await total('requeue')) + (await total('requeue_after'));
}
