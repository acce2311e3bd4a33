// `agentry_agents{condition, status}`: how many Agents report each condition status, computed from
// the Agent cache when /metrics is scraped (no bookkeeping on the reconcile path, and never stale).
// It answers "how many agents are not Ready right now" without listing Agents against the API server.
import { Gauge, type Registry } from 'prom-client';
import { ConditionType } from '../api/condition.js';
import type { ObjectLookup } from './informer-set.js';

const STATUSES = ['True', 'False', 'Unknown'] as const;
const CONDITIONS: readonly string[] = Object.values(ConditionType);

interface ConditionView {
  type?: unknown;
  status?: unknown;
}

/**
 * Registers the gauge. `synced` tells whether the cache is complete: before that (and on a standby,
 * whose caches never start) the gauge has no samples rather than misleading zeros.
 */
export function registerAgentGauges(registry: Registry, agents: ObjectLookup, synced: () => boolean): Gauge<'condition' | 'status'> {
  const gauge: Gauge<'condition' | 'status'> = new Gauge({
    name: 'agentry_agents',
    help: 'Agents by condition type and status (an Agent without the condition counts as Unknown), from the operator cache.',
    labelNames: ['condition', 'status'],
    registers: [registry],
    collect() {
      gauge.reset();
      if (!synced()) return;
      const counts = new Map<string, number>();
      for (const condition of CONDITIONS) for (const status of STATUSES) counts.set(`${condition}\0${status}`, 0);
      for (const agent of agents.list(undefined, () => true)) {
        const conditions = ((agent.status as { conditions?: ConditionView[] } | undefined)?.conditions ?? []);
        for (const condition of CONDITIONS) {
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
