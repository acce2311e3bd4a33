// `agentry_agents{condition, status}`: how many Agents report each condition status, computed from
// the Agent cache when /metrics is scraped (no bookkeeping on the reconcile path, and never stale).
// It answers "how many agents are not Ready right now" without listing Agents against the API server.
// `agentry_remote_agents{condition, status}` counts RemoteAgents the same way (how many are not
// Reachable), from their cache.
import { Gauge, type Registry } from 'prom-client';
import { ConditionType } from '../api/condition.js';
import type { ObjectLookup } from './informer-set.js';

const STATUSES = ['True', 'False', 'Unknown'] as const;
const CONDITIONS: readonly string[] = Object.values(ConditionType);

/** What a condition gauge counts: its name and help, and the condition types it reports. */
export interface ConditionGaugeOptions {
  name: string;
  help: string;
  conditions: readonly string[];
}

interface ConditionView {
  type?: unknown;
  status?: unknown;
}

/**
 * Registers the gauge. `synced` tells whether the cache is complete: before that (and on a standby,
 * whose caches never start) the gauge has no samples rather than misleading zeros.
 */
export function registerAgentGauges(registry: Registry, agents: ObjectLookup, synced: () => boolean): Gauge<'condition' | 'status'> {
  return registerConditionGauges(
    registry,
    { name: 'agentry_agents', help: 'Agents by condition type and status (an Agent without the condition counts as Unknown), from the operator cache.', conditions: CONDITIONS },
    agents,
    synced,
  );
}

/** A gauge of cached objects by condition type and status, computed at scrape time. */
export function registerConditionGauges(registry: Registry, options: ConditionGaugeOptions, objects: ObjectLookup, synced: () => boolean): Gauge<'condition' | 'status'> {
  const gauge: Gauge<'condition' | 'status'> = new Gauge({
    name: options.name,
    help: options.help,
    labelNames: ['condition', 'status'],
    registers: [registry],
    collect() {
      gauge.reset();
      if (!synced()) return;
      const counts = new Map<string, number>();
      for (const condition of options.conditions) for (const status of STATUSES) counts.set(`${condition}\0${status}`, 0);
      for (const obj of objects.list(undefined, () => true)) {
        const conditions = ((obj.status as { conditions?: ConditionView[] } | undefined)?.conditions ?? []);
        for (const condition of options.conditions) {
          const status = conditions.find((c) => c.type === condition)?.status;
          const bucket = status === 'True' || status === 'False' ? status : 'Unknown';
          const key = `${condition}\0${bucket}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      for (const [key, value] of counts) {
        const [condition = '', status = ''] = key.split('\0');
        gauge.set({ condition, status }, value);
      }
    },
  });
  return gauge;
}
