// `agentry run`: the operator process.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { defaultOperatorConfig, parseOperatorConfig, type OperatorConfig } from '../config/operator-config.js';
import { KubeConnection } from '../kube/kube-connection.js';
import { startOperator } from '../operator/operator.js';
import type { CliIo } from './cli-io.js';

export const RUN_USAGE = `Usage: agentry run [flags]

Runs the operator against the cluster of --kubeconfig, else $KUBECONFIG, else the pod's own
ServiceAccount (in a cluster), else ~/.kube/config.

Flags:
  --kubeconfig FILE          kubeconfig to use (its current context unless --context)
  --context NAME             kubeconfig context to use
  --config FILE              operator config (YAML); every field has a default (docs/operator-config.md)
  --namespaces a,b           watch only these namespaces (overrides watchNamespaces in the config)
  --workers N                concurrent reconciles (overrides workers)
  --log-level LEVEL          trace|debug|info|warn|error (overrides logLevel)
  --probe-address HOST:PORT  serve /healthz, /readyz and /metrics here (default :8081; "0" disables)
  --leader-elect / --no-leader-elect
                             campaign for the leader-election Lease (overrides leaderElection.enabled)
  --identity NAME            identity in the Lease (default $POD_NAME, else the hostname)
  --user-agent TEXT          User-Agent of every API request (default agentry/0.1.0): tells replicas
                             apart in the API server's audit log
`;

function parseAddress(text: string): { host: string; port: number } | undefined {
  if (text === '0' || text === '') return undefined;
  const i = text.lastIndexOf(':');
  const host = i > 0 ? text.slice(0, i) : '0.0.0.0';
  const port = Number(i >= 0 ? text.slice(i + 1) : text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--probe-address: not a HOST:PORT: ${text}`);
  return { host, port };
}

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespaces: { type: 'string' },
        workers: { type: 'string' },
        'log-level': { type: 'string' },
        'probe-address': { type: 'string', default: ':8081' },
        'leader-elect': { type: 'boolean' },
        'no-leader-elect': { type: 'boolean' },
        identity: { type: 'string' },
        'user-agent': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr(`agentry run: ${(err as Error).message}\n\n${RUN_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(RUN_USAGE);
    return 0;
  }

  let config: OperatorConfig;
  try {
    // The file's name in every message: "workers: ..." alone does not say which file is wrong.
    config = values.config ? parseOperatorConfig(await readFile(values.config, 'utf8'), values.config) : defaultOperatorConfig();
    if (values.namespaces !== undefined) config = { ...config, watchNamespaces: values.namespaces.split(',').map((s) => s.trim()).filter(Boolean) };
    if (values.workers !== undefined) {
      const workers = Number(values.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers: must be a positive integer, got ${values.workers}`);
      config = { ...config, workers };
    }
    if (values['log-level']) config = { ...config, logLevel: values['log-level'] as OperatorConfig['logLevel'] };
    if (values['leader-elect'] || values['no-leader-elect']) {
      config = { ...config, leaderElection: { ...config.leaderElection, enabled: Boolean(values['leader-elect']) } };
    }
  } catch (err) {
    io.stderr(`agentry run: ${(err as Error).message}\n`);
    return 1;
  }

  const logger = pino({ level: config.logLevel, base: { component: 'agentry' } });
  let probeAddress;
  try {
    probeAddress = parseAddress(values['probe-address']);
  } catch (err) {
    io.stderr(`agentry run: ${(err as Error).message}\n`);
    return 2;
  }
  let connection;
  try {
    connection = KubeConnection.fromDefault({ ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.context ? { context: values.context } : {}) });
  } catch (err) {
    io.stderr(`agentry run: ${(err as Error).message}\n`);
    return 1;
  }
  let operator;
  try {
    operator = await startOperator({
      connection,
      config,
      logger,
      identity: values.identity ?? process.env.POD_NAME ?? hostname(),
      ...(probeAddress ? { probeAddress } : {}),
      ...(values['user-agent'] ? { userAgent: values['user-agent'] } : {}),
    });
  } catch (err) {
    // Unreachable API server, a probe port in use ...: one log line and a non-zero exit, not a stack trace.
    logger.fatal({ err }, 'could not start the operator');
    io.stderr(`agentry run: could not start the operator: ${(err as Error).message}\n`);
    return 1;
  }
  if (operator.probePort !== undefined) logger.info({ port: operator.probePort }, 'serving /healthz, /readyz and /metrics');
  const onSignal = (signal: string) => {
    logger.info({ signal }, 'received signal');
    void operator.stop();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  const why = await operator.done;
  return why === 'lost-lease' ? 1 : 0;
}
