// `agentry render`: the manifests the operator would apply for the Agents in some files, without a
// cluster. It calls the operator's own render(), so what it prints is what the operator applies
// (less the ownerReferences, which need the Agent's uid, and the operator's applied-hash annotation).
import { parseArgs } from 'node:util';

import type { Agent } from '../api/agent.js';
import { AGENT_RESOURCE, API_GROUP, MODEL_CONFIG_RESOURCE, REMOTE_AGENT_RESOURCE } from '../api/group-version.js';
import type { ModelConfig } from '../api/model-config.js';
import { validateAgent, validateModelConfig } from '../api/validation.js';
import { defaultOperatorConfig, OperatorConfigError, parseOperatorConfig } from '../config/operator-config.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { isRecord, toKubeObject, type KubeObject } from '../kube/kube-object.js';
import { toJsonList, toYamlStream } from '../render/manifest-stream.js';
import { render, type RenderRelated } from '../render/render.js';
import { remoteAgentServiceReference, toolReferences } from '../render/tool-references.js';
import { toolServiceProjection } from '../render/tool-service.js';
import type { CliIo } from './cli-io.js';
import { readManifestDocuments, type Located } from './manifest-documents.js';

export const RENDER_USAGE = `Usage: agentry render -f FILE [-f FILE ...] [--config FILE] [-o yaml|json]

Prints the objects the operator would apply for every Agent in the files, without a cluster.

Flags:
  -f, --filename FILE  YAML (one or more documents, or a List) or JSON holding Agents and the
                       ModelConfigs they use, the RemoteAgents their tools name (with the status
                       their controller wrote, as 'kubectl get remoteagent -o yaml' prints it:
                       only an Accepted one is a tool) and the Services their MCP tools and
                       RemoteAgents name (v1 Services); '-' reads standard input. Other kinds
                       are ignored. Agents in the files are each other's tool peers and
                       callers, as in a cluster. Objects without a namespace are in "default",
                       as with kubectl.
      --config FILE    operator configuration (YAML), as given to 'agentry run --config'
  -o, --output FORMAT  yaml (a '---' separated stream, the default) or json (a v1 List)
  -h, --help           this help

Exit status: 0 rendered, 1 invalid input or an Agent that cannot be rendered, 2 usage error.
`;

const DEFAULT_NAMESPACE = 'default';

interface Inputs {
  agents: Located<Agent>[];
  modelConfigs: Map<string, Located<ModelConfig>>;
  /** v1 Services by namespace/name, projected as the operator caches them. */
  services: Map<string, KubeObject>;
  /** RemoteAgents by namespace/name, with their status (render reads whether they are Accepted). */
  remoteAgents: Map<string, KubeObject>;
}

export async function renderCommand(argv: string[], io: CliIo): Promise<number> {
  let values: { filename?: string[]; config?: string; output?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        filename: { type: 'string', short: 'f', multiple: true },
        config: { type: 'string' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    io.stdout(RENDER_USAGE);
    return 0;
  }
  const files = values.filename ?? [];
  if (files.length === 0) return usageError(io, 'at least one -f FILE is required');
  const output = values.output ?? 'yaml';
  if (output !== 'yaml' && output !== 'json') return usageError(io, `-o must be yaml or json, got ${JSON.stringify(output)}`);
  if (argv.filter((arg) => arg === '--config' || arg.startsWith('--config=')).length > 1) return usageError(io, '--config may be given once');
  if (files.filter((file) => file === '-').length > 1) return usageError(io, "standard input ('-f -') may be read once");

  const errors: string[] = [];
  const config = await loadConfig(values.config, io, errors);
  const inputs: Inputs = { agents: [], modelConfigs: new Map(), services: new Map(), remoteAgents: new Map() };
  for (const file of files) await loadFile(file, io, inputs, errors);
  if (config === undefined || errors.length > 0) return failed(io, errors);
  if (inputs.agents.length === 0) return failed(io, [`no Agent (${API_GROUP}) found in ${files.join(', ')}`]);

  const objects: KubeObject[] = [];
  for (const { location, value: agent } of inputs.agents) {
    const namespace = agent.metadata.namespace ?? DEFAULT_NAMESPACE;
    const modelConfigName = agent.spec.declarative?.modelConfig;
    const modelConfig = modelConfigName === undefined ? undefined : inputs.modelConfigs.get(`${namespace}/${modelConfigName}`)?.value;
    const result = render(agent, { ...(modelConfig !== undefined && { modelConfig }), ...toolRelated(agent, inputs) }, config);
    if (result.ok) objects.push(...result.objects);
    else errors.push(`${location}: Agent ${JSON.stringify(agent.metadata.name)}: ${result.reason}: ${result.message}`);
  }
  // All or nothing: a partial stream piped into `kubectl apply` would be worse than none.
  if (errors.length > 0) return failed(io, errors);
  io.stdout(output === 'json' ? toJsonList(objects) : toYamlStream(objects));
  return 0;
}

/** What the operator would find in its caches for the Agent's tools, from the other input objects. */
function toolRelated(agent: Agent, inputs: Inputs): Pick<RenderRelated, 'toolAgents' | 'toolRemoteAgents' | 'toolServices' | 'callers'> {
  const byKey = new Map(inputs.agents.map((a) => [objectKey(a.value), a.value]));
  const references = toolReferences(agent);
  const toolAgents = references.agents.map((r) => byKey.get(`${r.namespace}/${r.name}`)).filter((a) => a !== undefined).map((a) => toKubeObject(a));
  const toolRemoteAgents = references.remoteAgents.map((r) => inputs.remoteAgents.get(`${r.namespace}/${r.name}`)).filter((r) => r !== undefined);
  const serviceRefs = [...references.services, ...toolRemoteAgents.flatMap((r) => remoteAgentServiceReference(r) ?? [])];
  const toolServices = serviceRefs.map((r) => inputs.services.get(`${r.namespace}/${r.name}`)).filter((s) => s !== undefined);
  const self = objectKey(agent);
  const callers = inputs.agents
    .map((a) => a.value)
    .filter((candidate) => toolReferences(candidate).agents.some((r) => `${r.namespace}/${r.name}` === self))
    .map((a) => toKubeObject(a));
  return { toolAgents, toolRemoteAgents, toolServices, callers };
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`agentry render: ${message}\n\n${RENDER_USAGE}`);
  return 2;
}

function failed(io: CliIo, errors: readonly string[]): number {
  io.stderr(errors.map((e) => `${e}\n`).join(''));
  return 1;
}

async function loadConfig(path: string | undefined, io: CliIo, errors: string[]): Promise<OperatorConfig | undefined> {
  if (path === undefined) return defaultOperatorConfig();
  const text = await readText(path, io, errors);
  if (text === undefined) return undefined;
  try {
    return parseOperatorConfig(text, displayName(path));
  } catch (error) {
    errors.push(error instanceof OperatorConfigError ? error.message : `${displayName(path)}: ${String(error)}`);
    return undefined;
  }
}

async function readText(path: string, io: CliIo, errors: string[]): Promise<string | undefined> {
  try {
    return await io.readFile(path);
  } catch (error) {
    errors.push(`${displayName(path)}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function displayName(path: string): string {
  return path === '-' ? '<stdin>' : path;
}

async function loadFile(path: string, io: CliIo, inputs: Inputs, errors: string[]): Promise<void> {
  const text = await readText(path, io, errors);
  if (text === undefined) return;
  const documents = readManifestDocuments(text, displayName(path));
  errors.push(...documents.errors);
  for (const document of documents.objects) classify(document, inputs, errors);
}

function classify(document: Located<unknown>, inputs: Inputs, errors: string[]): void {
  const { location, value } = document;
  if (isRecord(value) && value.apiVersion === 'v1' && value.kind === 'Service') {
    const service = toolServiceProjection(toKubeObject(withDefaultNamespace(value)));
    inputs.services.set(`${service.metadata.namespace ?? DEFAULT_NAMESPACE}/${service.metadata.name}`, service);
    return;
  }
  if (!isRecord(value) || typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith(`${API_GROUP}/`)) return;
  if (value.kind === REMOTE_AGENT_RESOURCE.kind) {
    // Kept whole, status included: whether its controller accepted it is what makes it a tool.
    const remoteAgent = toKubeObject({ ...value, metadata: withDefaultNamespace(value).metadata });
    inputs.remoteAgents.set(objectKey(remoteAgent), remoteAgent);
    return;
  }
  const object = withDefaultNamespace(value);
  const label = `${String(object.kind)} ${JSON.stringify(metadataName(object))}`;
  if (object.kind === AGENT_RESOURCE.kind) {
    const result = validateAgent(object);
    if (!result.success) {
      for (const issue of result.issues) errors.push(`${location}: ${label}: ${issue}`);
      return;
    }
    const key = objectKey(result.data);
    const previous = inputs.agents.find((a) => objectKey(a.value) === key);
    if (previous !== undefined) errors.push(`${location}: ${label}: the Agent ${key} is also defined in ${previous.location}`);
    else inputs.agents.push({ location, value: result.data });
  } else if (object.kind === MODEL_CONFIG_RESOURCE.kind) {
    const result = validateModelConfig(object);
    if (!result.success) {
      for (const issue of result.issues) errors.push(`${location}: ${label}: ${issue}`);
      return;
    }
    const key = objectKey(result.data);
    const previous = inputs.modelConfigs.get(key);
    if (previous !== undefined) errors.push(`${location}: ${label}: the ModelConfig ${key} is also defined in ${previous.location}`);
    else inputs.modelConfigs.set(key, { location, value: result.data });
  }
}

/**
 * A copy in the default namespace when it names none (as kubectl would apply it), without its status:
 * an object read back from a cluster carries one, and it plays no part in rendering.
 */
function withDefaultNamespace(object: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = object;
  if (!isRecord(rest.metadata) || rest.metadata.namespace !== undefined) return rest;
  return { ...rest, metadata: { ...rest.metadata, namespace: DEFAULT_NAMESPACE } };
}

function metadataName(object: Record<string, unknown>): string {
  return isRecord(object.metadata) && typeof object.metadata.name === 'string' ? object.metadata.name : '';
}

function objectKey(object: { metadata: { name: string; namespace?: string } }): string {
  return `${object.metadata.namespace ?? DEFAULT_NAMESPACE}/${object.metadata.name}`;
}

