// Which Agents an Agent's change queues because of tools: its peers when the set it names changes
// (before and after), its callers when what they read of it changes, and nothing for a status write.
import { describe, expect, it } from '@jest/globals';

import type { KubeObject } from '../../../src/kube/kube-object.js';
import { ToolPeerMapper } from '../../../src/operator/tool-peer-mapper.js';

function agent(name: string, peers: string[], extra: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'agentry.dev/v1alpha1',
    kind: 'Agent',
    metadata: { name, namespace: 'finance' },
    spec: {
      type: 'Declarative',
      declarative: { systemMessage: 'hi', modelConfig: 'default', tools: peers.map((p) => (p.includes('/') ? { agent: { namespace: p.split('/')[0], name: p.split('/')[1] } } : { agent: { name: p } })) },
      ...extra,
    },
    status,
  };
}

const names = (refs: { namespace?: string; name: string }[]) => refs.map((r) => `${r.namespace ?? ''}/${r.name}`).sort();

describe('ToolPeerMapper', () => {
  it("queues the peers an Agent names now and named before, only when that set changes", () => {
    const mapper = new ToolPeerMapper(() => []);
    expect(names(mapper.added(agent('caller', ['a', 'b'])))).toEqual(['finance/a', 'finance/b']);
    // A status write, a resync, another field: nothing.
    expect(mapper.updated(agent('caller', ['a', 'b']), agent('caller', ['b', 'a'], {}, { conditions: [] }))).toEqual([]);
    expect(mapper.updated(agent('caller', ['a', 'b']), agent('caller', ['a', 'b'], { description: 'x' }))).toEqual([]);
    // Dropping b: b must lose its ingress rule, a keeps it (both reconciled, the set changed).
    expect(names(mapper.updated(agent('caller', ['a', 'b']), agent('caller', ['a'])))).toEqual(['finance/a', 'finance/b']);
    expect(names(mapper.updated(agent('caller', ['a']), agent('caller', ['a', 'other/c'])))).toEqual(['finance/a', 'other/c']);
    expect(names(mapper.deleted(agent('caller', ['a', 'other/c'])))).toEqual(['finance/a', 'other/c']);
    expect(mapper.size).toBe(0);
  });

  it('answers from what it saw, not from the old object an update carries', () => {
    const mapper = new ToolPeerMapper(() => []);
    mapper.added(agent('caller', ['a']));
    // An update whose old object is not the last state seen (a relist over a gap, say).
    expect(names(mapper.updated(agent('caller', []), agent('caller', [])))).toEqual(['finance/a']);
  });

  it('remembers nothing for Agents that name no peers', () => {
    const mapper = new ToolPeerMapper(() => []);
    for (let i = 0; i < 100; i++) mapper.added(agent(`plain-${i}`, []));
    expect(mapper.size).toBe(0);
  });

  it('queues the callers of a peer that appears, goes away, or changes what they read of it', () => {
    const callers = [agent('caller', ['peer'])];
    const mapper = new ToolPeerMapper((ref) => (ref.name === 'peer' ? callers : []));
    const peer = agent('peer', [], { a2aConfig: { skills: [{ id: 's', name: 'S' }] }, description: 'Checks' });
    expect(names(mapper.added(peer))).toEqual(['finance/caller']);
    expect(mapper.updated(peer, { ...peer, status: { conditions: [] } })).toEqual([]);
    expect(names(mapper.updated(peer, agent('peer', [], { a2aConfig: { skills: [] }, description: 'Checks more' })))).toEqual(['finance/caller']);
    expect(names(mapper.updated(peer, agent('peer', [], { description: 'Checks' })))).toEqual(['finance/caller']);
    expect(names(mapper.deleted(peer))).toEqual(['finance/caller']);
  });
});
