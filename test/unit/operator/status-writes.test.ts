// The Agent reconciler's status writes: one per meaningful transition, never one for a cache that
// has not yet had the reconciler's own last write, and the watch events of its own writes told from
// anyone else's (own-writes.ts). An Agent refused for a missing ModelConfig makes status its only write.
import { describe, expect, it } from '@jest/globals';
import { noopLogger } from '../../../src/controller/logger.js';
import { parseOperatorConfig } from '../../../src/config/operator-config.js';
import { KubeClient, type ApplyOptions } from '../../../src/kube/kube-client.js';
import { KubeConnection } from '../../../src/kube/kube-connection.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { AgentReconciler } from '../../../src/operator/agent-reconciler.js';
import { ChildCaches } from '../../../src/operator/child-caches.js';
import { EventRecorder } from '../../../src/operator/event-recorder.js';
import { InformerSet, type ObjectLookup } from '../../../src/operator/informer-set.js';

/** The API server's side of status writes: each one a new resourceVersion of the Agent. */
class StatusServer extends KubeClient {
  statusWrites: KubeObject[] = [];
  /** When set, a status write waits for it: the write is in flight meanwhile. */
  gate: Promise<void> | undefined;
  private version = 10;

  constructor(public stored: KubeObject) {
    super(KubeConnection.fromOptions({ server: 'https://127.0.0.1:9' }));
  }

  override async apply<T extends KubeObject>(obj: T, options: ApplyOptions): Promise<T> {
    if (options.subresource !== 'status') throw new Error(`unexpected apply of ${obj.kind}`);
    await this.gate;
    this.statusWrites.push(structuredClone(obj));
    this.version += 1;
    this.stored = { ...this.stored, metadata: { ...this.stored.metadata, resourceVersion: String(this.version) }, status: obj.status };
    return structuredClone(this.stored) as T;
  }

  override create<T extends KubeObject>(obj: T): Promise<T> {
    if (obj.kind !== 'Event') throw new Error(`unexpected create of ${obj.kind}`);
    return Promise.resolve(obj);
  }
}

const agent: KubeObject = {
  apiVersion: 'agentry.dev/v1alpha1',
  kind: 'Agent',
  metadata: { name: 'a', namespace: 'team', uid: 'agent-uid', resourceVersion: '10', generation: 1 },
  spec: { type: 'Declarative', description: 'd', declarative: { systemMessage: 'hi', modelConfig: 'missing' } },
};

function setUp() {
  const server = new StatusServer(structuredClone(agent));
  // What the Agent cache holds: set by the test, behind the server or caught up with it.
  let cached: KubeObject = structuredClone(agent);
  const agents: ObjectLookup = { get: (_ns, name) => (name === cached.metadata.name ? cached : undefined), list: () => [cached] };
  const reconciler = new AgentReconciler({
    client: server,
    agents,
    modelConfigs: { get: () => undefined, list: () => [] },
    children: new ChildCaches(new InformerSet(), new InformerSet()),
    config: parseOperatorConfig('{}', 'test'),
    recorder: new EventRecorder(server, 'agentry', noopLogger),
    now: () => new Date('2026-12-01T00:00:00Z'),
  });
  const reconcile = () => reconciler.reconcile({ namespace: 'team', name: 'a' }, { signal: new AbortController().signal, logger: noopLogger });
  return { server, reconciler, reconcile, setCached: (obj: KubeObject) => (cached = structuredClone(obj)) };
}

describe('status writes', () => {
  it('writes a transition once, also when the next reconcile reads a cache without that write', async () => {
    const { server, reconcile, setCached } = setUp();
    await reconcile();
    expect(server.statusWrites).toHaveLength(1);
    expect(server.statusWrites[0]?.status).toMatchObject({ conditions: [{ type: 'Accepted', status: 'False' }, { type: 'Ready', status: 'False' }] });
    await reconcile(); // the cache still holds the Agent as it was before the write
    expect(server.statusWrites).toHaveLength(1);
    setCached(server.stored); // caught up
    await reconcile();
    expect(server.statusWrites).toHaveLength(1);
  });

  it('writes again when someone else changed the status after its write', async () => {
    const { server, reconcile, setCached } = setUp();
    await reconcile();
    setCached({ ...server.stored, metadata: { ...server.stored.metadata, resourceVersion: '99' }, status: { conditions: [] } });
    await reconcile();
    expect(server.statusWrites).toHaveLength(2);
  });

  it('knows the watch event of its own status write, and only that one', async () => {
    const { server, reconciler, reconcile } = setUp();
    let release!: () => void;
    server.gate = new Promise((resolve) => (release = resolve));
    const before = structuredClone(server.stored);
    const reconciling = reconcile();
    await new Promise((resolve) => setImmediate(resolve));
    // In flight: an event that changes only the status may be its echo (it can come before the
    // response); a change of the spec never is.
    const statusOnly = { ...before, metadata: { ...before.metadata, resourceVersion: '11' }, status: { conditions: [] } };
    const specChanged = { ...statusOnly, metadata: { ...statusOnly.metadata, generation: 2 }, spec: { ...(before.spec as object), description: 'changed' } };
    expect(reconciler.isOwnStatusWrite(before, statusOnly)).toBe(true);
    expect(reconciler.isOwnStatusWrite(before, specChanged)).toBe(false);
    release();
    await reconciling;
    // Done: exactly the version the write returned is its echo.
    expect(reconciler.isOwnStatusWrite(before, server.stored)).toBe(true);
    expect(reconciler.isOwnWrite(server.stored)).toBe(true);
    const later = { ...server.stored, metadata: { ...server.stored.metadata, resourceVersion: '12' } };
    expect(reconciler.isOwnStatusWrite(server.stored, later)).toBe(false);
  });
});
