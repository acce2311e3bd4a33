// The runtime's Prometheus metrics on /metrics: A2A requests, tasks, model calls, tokens and tool
// calls, plus the process's own (RSS, CPU, event-loop lag) from prom-client's defaults. One registry
// per runtime, so tests can run several in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class RuntimeMetrics {
  readonly registry = new Registry();

  readonly a2aRequests = new Counter({
    name: 'agentry_runtime_a2a_requests_total',
    help: 'A2A JSON-RPC requests by method and result (ok, or the JSON-RPC error code).',
    labelNames: ['method', 'result'] as const,
    registers: [this.registry],
  });

  readonly taskDuration = new Histogram({
    name: 'agentry_runtime_task_duration_seconds',
    help: 'Time from a task run starting to its final (or input-required) state, by that state.',
    labelNames: ['state'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  readonly modelRequestDuration = new Histogram({
    name: 'agentry_runtime_model_request_duration_seconds',
    help: 'Latency of model calls (one per step of the tool loop) by provider and outcome.',
    labelNames: ['provider', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  readonly modelTokens = new Counter({
    name: 'agentry_runtime_model_tokens_total',
    help: 'Tokens reported by the model, by direction (input or output).',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  readonly toolCalls = new Counter({
    name: 'agentry_runtime_tool_calls_total',
    help: 'Tool calls by tool and outcome (ok, error, denied, unavailable).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly tasksInFlight = new Gauge({ name: 'agentry_runtime_tasks_in_flight', help: 'Tasks being worked on now.', registers: [this.registry] });

  /** Read at every scrape (see beforeScrape), so /metrics never shows a stale store size or MCP state. */
  private readonly scrapeHooks: Array<() => void> = [];

  private readonly runScrapeHooks = (): void => {
    for (const hook of this.scrapeHooks) hook();
  };

  readonly storedTasks = new Gauge({ name: 'agentry_runtime_stored_tasks', help: 'Tasks held in memory (bounded).', registers: [this.registry], collect: this.runScrapeHooks });

  readonly storedContexts = new Gauge({
    name: 'agentry_runtime_stored_contexts',
    help: 'Conversations held in memory (bounded).',
    registers: [this.registry],
    collect: this.runScrapeHooks,
  });

  readonly evictions = new Counter({
    name: 'agentry_runtime_evictions_total',
    help: 'Tasks and conversations dropped from memory, by store and reason (count or age).',
    labelNames: ['store', 'reason'] as const,
    registers: [this.registry],
  });

  readonly mcpServerUp = new Gauge({
    name: 'agentry_runtime_mcp_server_up',
    help: '1 when the MCP server is connected and its tools are offered, else 0.',
    labelNames: ['server'] as const,
    registers: [this.registry],
    collect: this.runScrapeHooks,
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** `update` sets the gauges that mirror state (store sizes, MCP servers up) when /metrics is read. */
  beforeScrape(update: () => void): void {
    this.scrapeHooks.push(update);
  }
}
