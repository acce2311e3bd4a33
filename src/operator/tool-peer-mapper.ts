// Which Agents to reconcile when an Agent changes, because of tools. Two relations:
//
// - a caller's tools decide its peers' NetworkPolicy ingress, so when the Agents a caller names
//   change, the peers it names now *and the ones it named before* are reconciled (the one it dropped
//   must lose its ingress rule). The set it named before is kept here, per Agent that names any
//   (Agents without Agent tools cost nothing), so the answer rests on what this mapper saw, not on
//   which old object an event carries, and peers are queued only when the set really changed;
// - a peer's existence, A2A-ness and description decide its callers' agent.json, so when those
//   change, its callers (found through the BY_TOOL_AGENT index) are reconciled.
//
// Status writes and resyncs change neither relation and queue nothing.
import { objectRefKey, parseObjectKey, type ObjectRef } from '../controller/object-key.js';
import type { KubeObject } from '../kube/kube-object.js';
import { toolReferences } from '../render/tool-references.js';

export class ToolPeerMapper {
  /** Per Agent (`namespace/name`) that names peers: the peers' keys, sorted. */
  private readonly named = new Map<string, readonly string[]>();

  /** @param callersOf the Agents whose tools name this one (an index lookup). */
  constructor(private readonly callersOf: (agent: ObjectRef) => readonly KubeObject[]) {}

  added(agent: KubeObject): ObjectRef[] {
    return this.requests(this.peersChanged(agent, false), this.callers(agent));
  }

  updated(previous: KubeObject, agent: KubeObject): ObjectRef[] {
    const callers = peerFacts(previous) === peerFacts(agent) ? [] : this.callers(agent);
    return this.requests(this.peersChanged(agent, false), callers);
  }

  deleted(agent: KubeObject): ObjectRef[] {
    return this.requests(this.peersChanged(agent, true), this.callers(agent));
  }

  /** How many Agents' peer sets are remembered (for tests: it must not grow with Agents without tools). */
  get size(): number {
    return this.named.size;
  }

  /** The peers named before and now, when they differ; the record updated. */
  private peersChanged(agent: KubeObject, gone: boolean): string[] {
    const key = objectRefKey(agent.metadata);
    const before = this.named.get(key) ?? [];
    const now = gone ? [] : [...new Set(toolReferences(agent).agents.map(objectRefKey))].sort();
    if (now.length > 0) this.named.set(key, now);
    else this.named.delete(key);
    if (before.length === now.length && before.every((k, i) => k === now[i])) return [];
    return [...before, ...now];
  }

  private callers(agent: KubeObject): string[] {
    return this.callersOf({ namespace: agent.metadata.namespace, name: agent.metadata.name }).map((caller) => objectRefKey(caller.metadata));
  }

  private requests(...keys: string[][]): ObjectRef[] {
    return [...new Set(keys.flat())].map(parseObjectKey);
  }
}

/** What of an Agent its callers render from: whether it speaks A2A, and its description. */
function peerFacts(agent: KubeObject): string {
  const spec = agent.spec;
  if (spec === null || typeof spec !== 'object') return '[]';
  const a2aConfig: unknown = 'a2aConfig' in spec ? spec.a2aConfig : undefined;
  const description: unknown = 'description' in spec ? spec.description : undefined;
  return JSON.stringify([a2aConfig !== undefined && a2aConfig !== null, typeof description === 'string' ? description : null]);
}
