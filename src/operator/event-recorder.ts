// Kubernetes Events on the objects the operator manages (what `kubectl describe agent` shows).
//
// Repeats of the same event for the same object are folded in memory for a while instead of being
// written again: a failing reconcile retried with backoff must not turn into an event storm.
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { Logger } from '../controller/logger.js';
import { contentHash } from './apply/content-hash.js';
import { rfc3339 } from './conditions.js';

export type EventType = 'Normal' | 'Warning';

export class EventRecorder {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly log: Logger,
    private readonly foldMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const { namespace, name, uid } = obj.metadata;
    if (!namespace) return;
    const key = `${uid ?? `${namespace}/${name}`}|${type}|${reason}|${message}`;
    const last = this.recent.get(key);
    const now = this.now();
    if (last !== undefined && now - last < this.foldMs) return;
    this.recent.set(key, now);
    if (this.recent.size > 10_000) this.prune(now);
    const time = rfc3339(new Date(now));
    try {
      await this.client.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${name}.${contentHash([key, now], 12)}`, namespace },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace, uid, resourceVersion: obj.metadata.resourceVersion },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.component,
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      });
    } catch (err) {
      // An event is best effort: losing one must never fail a reconcile.
      this.log.warn({ err, reason }, 'could not record event');
    }
  }

  private prune(now: number): void {
    for (const [key, at] of this.recent) if (now - at >= this.foldMs) this.recent.delete(key);
  }
}
