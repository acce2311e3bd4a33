// `agentry run`: the operator process. Flags that set a configuration field are parsed into the
// configuration's own schema, on top of the --config file: one validation, one message per problem,
// and exit 2 (a usage error) for a bad flag value, before anything touches a cluster.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { OperatorConfigError, parseOperatorConfig, type OperatorConfig, type OperatorConfigOverride } from '../config/operator-config.js';
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
                             campaign for the leader-election Lease (overrides leaderElection.enabled;
                             the last one given wins)
  --identity NAME            identity in the Lease (default $POD_NAME, else the hostname)
  --user-agent TEXT          User-Agent of every API request (default agentry/0.1.0): tells replicas
                             apart in the API server's audit log

Flag values are checked by the configuration's schema, as the file's are. Exit status: 2 for a bad
flag, 1 for a configuration file that cannot be read or is invalid, or an operator that cannot start.
`;

/** A number where the text is one, so that the schema says "too big" rather than "not a number". */
const numberOrText = (text: string): unknown => (/^[+-]?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text);

/** The flags that set a field of the operator configuration, and how their text becomes its value. */
const CONFIG_FLAGS: readonly { flag: 'namespaces' | 'workers' | 'log-level'; path: readonly string[]; value: (text: string) => unknown }[] = [
  {
    flag: 'namespaces',
    path: ['watchNamespaces'],
    value: (text) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
  },
  { flag: 'workers', path: ['workers'], value: numberOrText },
  { flag: 'log-level', path: ['logLevel'], value: (text) => text },
];

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
      allowNegative: true,
      options: {
        config: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespaces: { type: 'string' },
        workers: { type: 'string' },
        'log-level': { type: 'string' },
        'probe-address': { type: 'string', default: ':8081' },
        'leader-elect': { type: 'boolean' },
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

  let probeAddress;
  try {
    probeAddress = parseAddress(values['probe-address']);
  } catch (err) {
    io.stderr(`agentry run: ${(err as Error).message}\n`);
    return 2;
  }

  const overrides: OperatorConfigOverride[] = [];
  for (const { flag, path, value } of CONFIG_FLAGS) {
    const text = values[flag];
    if (text !== undefined) overrides.push({ path, value: value(text), name: `--${flag}`, text });
  }
  const leaderElect = values['leader-elect'];
  if (leaderElect !== undefined) overrides.push({ path: ['leaderElection', 'enabled'], value: leaderElect, name: leaderElect ? '--leader-elect' : '--no-leader-elect' });
  let config: OperatorConfig;
  try {
    // The file's name in every message: "workers: ..." alone does not say which file is wrong.
    const fileText = values.config === undefined ? '' : await readFile(values.config, 'utf8');
    config = parseOperatorConfig(fileText, values.config ?? 'command line', overrides);
  } catch (err) {
    io.stderr(`agentry run: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof OperatorConfigError && err.inOverrides ? 2 : 1;
  }

  const logger = pino({ level: config.logLevel, base: { component: 'agentry' } });
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
