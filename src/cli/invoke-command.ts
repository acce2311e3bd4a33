// `agentry invoke AGENT "message"`: talk to an Agent in one line. Resolves the Agent's A2A URL from
// its status (publicUrl, the gateway's, else url, the in-cluster Service's) unless --url is given,
// reads its card there and sends the message with @a2a-js/sdk's client (A2A 1.0, JSON-RPC), then
// prints the answer, or streams it as it arrives with --stream.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

import { Message, TaskState, type Part, type Task } from '@a2a-js/sdk';
import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client';

import { GROUP_VERSION } from '../api/group-version.js';
import { isHttpUrl } from '../api/http-url.js';
import { KubeClient } from '../kube/kube-client.js';
import { KubeConnection } from '../kube/kube-connection.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { CliIo } from './cli-io.js';

export const INVOKE_USAGE = `Usage: agentry invoke AGENT MESSAGE [flags]

Sends MESSAGE to the Agent over A2A and prints its answer. The Agent's URL comes from its status:
status.publicUrl (through the gateway) when set, else status.url (the in-cluster Service, reachable
only from inside the cluster or with --url and a port-forward).

Flags:
  -n, --namespace NS       the Agent's namespace (default: the kubeconfig context's, else default)
      --stream             print the answer as it streams (SendStreamingMessage)
      --url URL            talk to this A2A URL instead of the one in the Agent's status (no cluster access needed)
      --context-id ID      continue the conversation with this context id (printed to stderr after each answer)
      --kubeconfig FILE    kubeconfig to use (its current context unless --context)
      --context NAME       kubeconfig context to use
      --timeout SECONDS    give up after this long (default 120)
  -h, --help               this help

Exit status: 0 when the agent answered, 1 when it could not be reached or its task did not
complete, 2 usage error.
`;

interface AgentStatus {
  url?: string;
  publicUrl?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

export interface InvokeCommandDeps {
  /** How the Agent is read; default: a KubeClient on --kubeconfig/--context/$KUBECONFIG. */
  readAgent?: (namespace: string | undefined, name: string, kube: { kubeconfig?: string; context?: string }) => Promise<{ object: (KubeObject & { status?: AgentStatus }) | undefined; namespace: string }>;
  fetch?: typeof fetch;
}

export async function invokeCommand(argv: string[], io: CliIo, deps: InvokeCommandDeps = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        namespace: { type: 'string', short: 'n' },
        stream: { type: 'boolean', default: false },
        url: { type: 'string' },
        'context-id': { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        timeout: { type: 'string', default: '120' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(INVOKE_USAGE);
    return 0;
  }
  const [agentName, text, ...extra] = positionals;
  if (agentName === undefined || text === undefined) return usageError(io, 'AGENT and MESSAGE are required');
  if (extra.length > 0) return usageError(io, `unexpected arguments: ${extra.join(' ')} (quote the message)`);
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 86_400) return usageError(io, `--timeout must be a whole number of seconds from 1 to 86400, got ${values.timeout}`);
  if (values.url !== undefined && !isHttpUrl(values.url)) return usageError(io, `--url must be an absolute http or https URL, got ${values.url}`);

  const signal = AbortSignal.timeout(timeoutSeconds * 1000);
  try {
    const url = values.url ?? (await agentUrl(agentName, values, io, deps));
    if (url === undefined) return 1;
    const fetchImpl = deps.fetch ?? fetch;
    const client = await clientFor(url, fetchImpl);
    const message = Message.fromJSON({
      messageId: randomUUID(),
      role: 'ROLE_USER',
      ...(values['context-id'] !== undefined && { contextId: values['context-id'] }),
      parts: [{ text }],
    });
    const request = { tenant: '', message, configuration: undefined, metadata: undefined };
    const outcome = values.stream ? await streamed(client, request, io, signal) : await blocking(client, request, io, signal);
    if (outcome.contextId !== '') io.stderr(`context: ${outcome.contextId} (continue with --context-id ${outcome.contextId})\n`);
    if (outcome.state !== TaskState.TASK_STATE_COMPLETED) {
      io.stderr(`agentry invoke: the task ended ${TaskState[outcome.state] ?? outcome.state}${outcome.why ? `: ${outcome.why}` : ''}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    const why = signal.aborted ? `no answer within ${timeoutSeconds} s` : describe(error);
    io.stderr(`agentry invoke: ${why}\n`);
    return 1;
  }
}

/** The Agent's A2A URL from its status, or undefined after saying why there is none. */
async function agentUrl(name: string, values: { namespace?: string; kubeconfig?: string; context?: string }, io: CliIo, deps: InvokeCommandDeps): Promise<string | undefined> {
  const read = deps.readAgent ?? readAgentFromCluster;
  const { object, namespace } = await read(values.namespace, name, { ...(values.kubeconfig !== undefined && { kubeconfig: values.kubeconfig }), ...(values.context !== undefined && { context: values.context }) });
  if (object === undefined) {
    io.stderr(`agentry invoke: Agent ${namespace}/${name} not found\n`);
    return undefined;
  }
  const url = object.status?.publicUrl ?? object.status?.url;
  if (url === undefined) {
    const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
    io.stderr(`agentry invoke: Agent ${namespace}/${name} has no URL in its status yet${ready ? ` (Ready=${ready.status}${ready.message ? `: ${ready.message}` : ''})` : ''}\n`);
    return undefined;
  }
  if (object.status?.publicUrl === undefined) {
    io.stderr(`agentry invoke: Agent ${namespace}/${name} has no publicUrl (the operator's gateway.publicBaseUrl is unset): using its in-cluster URL ${url}\n`);
  }
  return url;
}

async function readAgentFromCluster(namespace: string | undefined, name: string, kube: { kubeconfig?: string; context?: string }) {
  const connection = KubeConnection.fromDefault(kube);
  const client = new KubeClient(connection);
  const ns = namespace ?? connection.namespace ?? 'default';
  try {
    const object = await client.find<KubeObject & { status?: AgentStatus }>(GROUP_VERSION, 'Agent', ns, name);
    return { object, namespace: ns };
  } finally {
    client.close();
  }
}

function clientFor(url: string, fetchImpl: typeof fetch): Promise<Client> {
  const factory = new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
  });
  return factory.createFromUrl(url);
}

interface Outcome {
  state: TaskState;
  contextId: string;
  why: string;
}

type SendRequest = Parameters<Client['sendMessage']>[0];

async function blocking(client: Client, request: SendRequest, io: CliIo, signal: AbortSignal): Promise<Outcome> {
  const result = await client.sendMessage(request, { signal });
  if (!('status' in result)) {
    // A bare message instead of a task: the answer itself.
    io.stdout(`${partsText(result.parts)}\n`);
    return { state: TaskState.TASK_STATE_COMPLETED, contextId: result.contextId, why: '' };
  }
  const answer = answerOf(result);
  if (answer !== '') io.stdout(`${answer}\n`);
  return { state: result.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED, contextId: result.contextId, why: statusText(result) };
}

/** Prints each artifact piece as it arrives; a replacing update (the runtime's last) prints only what was not shown yet. */
async function streamed(client: Client, request: SendRequest, io: CliIo, signal: AbortSignal): Promise<Outcome> {
  let shown = '';
  let outcome: Outcome = { state: TaskState.TASK_STATE_UNSPECIFIED, contextId: '', why: '' };
  for await (const event of client.sendMessageStream(request, { signal })) {
    const payload = event.payload;
    if (payload === undefined) continue;
    if (payload.$case === 'artifactUpdate') {
      const text = partsText(payload.value.artifact?.parts ?? []);
      if (payload.value.append) {
        io.stdout(text);
        shown += text;
      } else if (text.startsWith(shown)) {
        io.stdout(text.slice(shown.length));
        shown = text;
      } else {
        io.stdout(`${shown === '' ? '' : '\n'}${text}`);
        shown = text;
      }
    } else if (payload.$case === 'statusUpdate') {
      const status = payload.value.status;
      outcome = { state: status?.state ?? outcome.state, contextId: payload.value.contextId, why: status?.message ? partsText(status.message.parts) : '' };
    } else if (payload.$case === 'task') {
      // An agent that does not stream answers with the whole task.
      const answer = answerOf(payload.value);
      if (shown === '' && answer !== '') {
        io.stdout(answer);
        shown = answer;
      }
      outcome = { state: payload.value.status?.state ?? outcome.state, contextId: payload.value.contextId, why: statusText(payload.value) };
    } else if (payload.$case === 'message') {
      const text = partsText(payload.value.parts);
      io.stdout(text);
      shown += text;
      outcome = { state: TaskState.TASK_STATE_COMPLETED, contextId: payload.value.contextId, why: '' };
    }
  }
  if (shown !== '') io.stdout('\n');
  return outcome;
}

function partsText(parts: readonly Part[]): string {
  return parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
}

function answerOf(task: Task): string {
  return task.artifacts.map((a) => partsText(a.parts)).join('\n');
}

function statusText(task: Task): string {
  return task.status?.message === undefined ? '' : partsText(task.status.message.parts);
}

/** An error's message, with the cause fetch hides behind "fetch failed" (ECONNREFUSED, ENOTFOUND). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`agentry invoke: ${message}\n\n${INVOKE_USAGE}`);
  return 2;
}
