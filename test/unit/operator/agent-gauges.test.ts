// agentry_agents{condition, status}: counted from the cache at scrape time, every Agent once per
// condition type (a missing condition as Unknown), and no samples before the cache is synced.
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { registerAgentGauges } from '../../../src/operator/agent-gauges.js';
import type { ObjectLookup } from '../../../src/operator/informer-set.js';

function agent(name: string, conditions: { type: string; status: string }[] | undefined): KubeObject {
  return { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', metadata: { name, namespace: 'ns' }, ...(conditions ? { status: { conditions } } : {}) };
}

function lookup(agents: KubeObject[]): ObjectLookup {
  return { get: (ns, name) => agents.find((a) => a.metadata.namespace === ns && a.metadata.name === name), list: (_ns, filter) => agents.filter(filter) };
}

async function values(registry: Registry): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric('agentry_agents');
  if (!metric) throw new Error('not registered');
  const { values: samples } = await metric.get();
  return Object.fromEntries(samples.map((s) => [`${String(s.labels.condition)}/${String(s.labels.status)}`, s.value]));
}

describe('agentry_agents', () => {
  it('counts Agents by condition status, an absent condition as Unknown, from the cache as it is when scraped', async () => {
    const agents = [
      agent('ready', [{ type: 'Accepted', status: 'True' }, { type: 'Ready', status: 'True' }, { type: 'Routed', status: 'False' }]),
      agent('rolling', [{ type: 'Accepted', status: 'True' }, { type: 'Ready', status: 'Unknown' }]),
      agent('rejected', [{ type: 'Accepted', status: 'False' }, { type: 'Ready', status: 'False' }]),
      agent('new', undefined),
    ];
    const registry = new Registry();
    registerAgentGauges(registry, lookup(agents), () => true);
    expect(await values(registry)).toEqual({
      'Accepted/True': 2, 'Accepted/False': 1, 'Accepted/Unknown': 1,
      'Ready/True': 1, 'Ready/False': 1, 'Ready/Unknown': 2,
      'Routed/True': 0, 'Routed/False': 1, 'Routed/Unknown': 3,
    });

    agents.splice(0, 3); // gone from the cache: the next scrape counts them out
    expect(await values(registry)).toMatchObject({ 'Accepted/True': 0, 'Accepted/Unknown': 1, 'Ready/True': 0 });
  });

  it('has no samples until the cache is synced (a standby never syncs)', async () => {
    let synced = false;
    const registry = new Registry();
    registerAgentGauges(registry, lookup([agent('a', [{ type: 'Ready', status: 'True' }])]), () => synced);
    expect(await values(registry)).toEqual({});
    synced = true;
    expect(await values(registry)).toMatchObject({ 'Ready/True': 1 });
    expect(await registry.metrics()).toContain('agentry_agents{condition="Ready",status="True"} 1');
  });
});
