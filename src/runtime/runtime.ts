// Starts one agent: reads its mounted files and environment, connects its tools, builds the A2A
// request handler (SDK) around the executor, and serves. `stop()` is the SIGTERM path: stop
// accepting, let in-flight tasks finish within the grace period, then close everything.
import { createRequire } from 'node:module';

import { AgentCard } from '@a2a-js/sdk';
import { DefaultRequestHandler } from '@a2a-js/sdk/server';
import type { Logger } from 'pino';

import { createJsonLogger, type LogLevel } from '../observability/json-logger.js';
import { loadAgentFiles } from './agent-files.js';
import { AgentryExecutor } from './agent-executor.js';
import { AgentToolSource } from './agent-tool-source.js';
import { BoundedTaskStore } from './bounded-task-store.js';
import { routeConsoleToLog } from './console-log.js';
import { ConversationStore } from './conversation-store.js';
import { JsonRpcEndpoint } from './json-rpc-endpoint.js';
import { languageModel } from './language-model.js';
import { McpToolSource } from './mcp-tool-source.js';
import { instrumentedModelFetch } from './model-fetch.js';
import { routeModelWarnings } from './model-warnings.js';
import { RuntimeMetrics } from './runtime-metrics.js';
import { resolveSecrets } from './runtime-secrets.js';
import { trustToolCas } from './tool-trust.js';
import { RuntimeServer } from './runtime-server.js';

/** Documented in docs/runtime.md ("Limits"); each can be changed with a flag of `agentry runtime`. */
export interface RuntimeLimits {
  maxBodyBytes: number;
  maxTasks: number;
  taskMaxAgeSeconds: number;
  maxContexts: number;
  contextMaxAgeSeconds: number;
  maxMessagesPerContext: number;
  modelTimeoutSeconds: number;
  modelMaxRetries: number;
  shutdownGraceSeconds: number;
}

export const RUNTIME_DEFAULTS: Readonly<RuntimeLimits> = {
  maxBodyBytes: 1024 * 1024,
  maxTasks: 1000,
  taskMaxAgeSeconds: 3600,
  maxContexts: 1000,
  contextMaxAgeSeconds: 3600,
  maxMessagesPerContext: 200,
  modelTimeoutSeconds: 120,
  modelMaxRetries: 2,
  shutdownGraceSeconds: 25,
};

/** How long stop() waits, after the tasks have ended, for their answers to reach the clients. */
const RESPONSE_FLUSH_MS = 2000;

export interface RuntimeOptions {
  configPath: string;
  cardPath: string | undefined;
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logLevel: LogLevel;
  limits?: Partial<RuntimeLimits>;
  /** Where log lines go; stdout by default. */
  logDestination?: { write(line: string): void };
  /** MCP reconnect backoff start, for tests; 1 s by default. */
  mcpRetryDelayMs?: number;
  /** Route the process's console through the logger (the CLI does; a test running in-process does not). */
  captureConsole?: boolean;
}

export interface RunningAgent {
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  /** Resolves when every MCP server has answered or failed its first connection attempt. */
  toolsSettled(): Promise<void>;
  stop(graceMs?: number): Promise<void>;
}

const packageVersion = (): string => {
  const require = createRequire(import.meta.url);
  const pkg: unknown = require('../../package.json');
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
};

export async function startRuntime(options: RuntimeOptions): Promise<RunningAgent> {
  const limits = { ...RUNTIME_DEFAULTS, ...options.limits };
  const listenUrl = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}/`;
  const files = await loadAgentFiles(options.configPath, options.cardPath, listenUrl);
  const { config } = files;
  const secrets = resolveSecrets(config, options.env);
  await trustToolCas(config);
  const logger = createJsonLogger({ level: options.logLevel, component: 'agentry-runtime', scrub: secrets.scrub, ...(options.logDestination && { destination: options.logDestination }) }).child({
    agent: config.agent.name,
    namespace: config.agent.namespace,
  });
  routeModelWarnings(logger);
  if (options.captureConsole === true) routeConsoleToLog(logger);
  const metrics = new RuntimeMetrics();
  const version = packageVersion();

  const mcpSources = (config.tools?.mcpServers ?? []).map(
    (server) =>
      new McpToolSource({
        config: server,
        headers: secrets.mcpHeaders.get(server.id) ?? {},
        logger,
        clientVersion: version,
        ...(options.mcpRetryDelayMs !== undefined && { retryDelayMs: options.mcpRetryDelayMs }),
      }),
  );
  const agentSources = (config.tools?.agents ?? []).map((peer) => new AgentToolSource(peer, secrets.agentHeaders.get(peer.toolName) ?? {}));
  const conversations = new ConversationStore(
    {
      maxEntries: limits.maxContexts,
      maxAgeMs: limits.contextMaxAgeSeconds * 1000,
      onEvict: (reason) => metrics.evictions.inc({ store: 'contexts', reason }),
    },
    limits.maxMessagesPerContext,
  );
  const taskStore = new BoundedTaskStore({
    maxEntries: limits.maxTasks,
    maxAgeMs: limits.taskMaxAgeSeconds * 1000,
    onEvict: (reason) => metrics.evictions.inc({ store: 'tasks', reason }),
  });
  const executor = new AgentryExecutor({
    config,
    secrets,
    model: await languageModel(config.model, secrets.apiKey, instrumentedModelFetch(metrics, config.model.provider)),
    conversations,
    mcpSources,
    agentSources,
    metrics,
    logger,
    modelTimeoutMs: limits.modelTimeoutSeconds * 1000,
    modelMaxRetries: limits.modelMaxRetries,
    pendingLimits: { maxEntries: limits.maxTasks, maxAgeMs: limits.taskMaxAgeSeconds * 1000 },
  });
  const requestHandler = new DefaultRequestHandler(AgentCard.fromJSON(files.card), taskStore, executor);
  const endpoint = new JsonRpcEndpoint({
    requestHandler,
    maxBodyBytes: limits.maxBodyBytes,
    metrics,
    logger,
    onStreamAbandoned: (taskId) => executor.abandon(taskId),
    scrub: secrets.scrub,
  });
  let accepting = true;
  const server = new RuntimeServer({
    host: options.host,
    port: options.port,
    cardBytes: files.cardPublished ? files.cardBytes : undefined,
    rpcPaths: interfacePaths(files.card.supportedInterfaces.map((i) => i.url)),
    endpoint,
    registry: metrics.registry,
    ready: () => accepting,
    logger,
  });
  metrics.beforeScrape(() => {
    metrics.storedTasks.set(taskStore.size);
    metrics.storedContexts.set(conversations.size);
    for (const source of mcpSources) metrics.mcpServerUp.set({ server: source.id }, source.ready ? 1 : 0);
  });
  const address = await server.listen();
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
  logger.info({ url, model: { provider: config.model.provider, model: config.model.model }, mcpServers: mcpSources.length, agentTools: agentSources.length }, 'agent runtime serving');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    logger,
    metrics,
    toolsSettled: () => Promise.all(mcpSources.map((s) => s.settled())).then(() => undefined),
    stop: (graceMs = limits.shutdownGraceSeconds * 1000) => {
      stopping ??= (async () => {
        accepting = false;
        logger.info({ inFlight: executor.inFlight, graceMs }, 'shutting down: no new connections, waiting for in-flight tasks');
        const closed = server.stopAccepting();
        await executor.drain(graceMs);
        // The tasks have ended (or were canceled at the deadline); their answers go out before the
        // remaining connections are closed.
        await server.responsesSent(RESPONSE_FLUSH_MS);
        server.closeAll();
        await closed;
        await Promise.all(mcpSources.map((s) => s.close()));
        logger.info('agent runtime stopped');
      })();
      return stopping;
    },
  };
}

/** The paths of the card's interface URLs other than '/', where JSON-RPC is served too. */
function interfacePaths(urls: readonly string[]): string[] {
  const paths: string[] = [];
  for (const url of urls) {
    try {
      const path = new URL(url).pathname;
      if (path !== '/' && !paths.includes(path)) paths.push(path);
    } catch {
      // Not a URL the runtime can serve a path of: clients reach it at '/'.
    }
  }
  return paths;
}
