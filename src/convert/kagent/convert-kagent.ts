// `agentry convert kagent`, without the I/O: kagent objects in, Agentry Agents and ModelConfigs out,
// with a report of everything not carried over. Invalid input (an object kagent itself would refuse,
// the same object twice) is an error and yields nothing; everything else converts as far as it can.
// The output is in a stable order (ModelConfigs, then Agents, by namespace and name, keys sorted)
// whatever the order of the input.
import type { z } from 'zod';

import { validateWith } from '../../api/validation.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { ObjectReport, subjectOf } from '../conversion-report.js';
import type { ReportEntry } from '../conversion-report.js';
import type { Located } from '../../cli/manifest-documents.js';
import { isRecord } from '../../kube/kube-object.js';
import { convertAgent } from './convert-agent.js';
import { convertModelConfig } from './convert-model-config.js';
import { kagentAgentSchema } from './kagent-agent.js';
import { KAGENT_GROUP, KAGENT_V1ALPHA2, KMCP_DEFAULT_PORT, KMCP_VERSIONS } from './kagent-api.js';
import { KagentInputs, objectKey } from './kagent-inputs.js';
import type { Entry } from './kagent-inputs.js';
import { mcpServerSchema, remoteMcpServerSchema, serviceSchema } from './kagent-mcp-server.js';
import { kagentModelConfigSchema } from './kagent-model-config.js';

export interface KagentConversion {
  /** Agentry ModelConfigs, then Agents. Empty when there are errors. */
  objects: KubeObject[];
  /** What was not converted, or needs the user's attention. */
  report: ReportEntry[];
  /** Invalid input, located; when there are any, nothing was converted. */
  errors: string[];
}

/** Order of the report: the objects that are converted first, then what only served them. */
const KIND_ORDER = ['ModelConfig', 'Agent', 'RemoteMCPServer', 'MCPServer'];

interface Other {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string | undefined };
}

export function convertKagent(documents: readonly Located<unknown>[]): KagentConversion {
  const entries: ReportEntry[] = [];
  const inputs = new KagentInputs();
  const others: Other[] = [];
  const errors: string[] = [];
  const reportFor = (kind: string, metadata: { name: string; namespace?: string | undefined }) => new ObjectReport(subjectOf(kind, metadata), entries);

  for (const document of documents) {
    const object = document.value;
    if (!isRecord(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') continue;
    const { apiVersion, kind } = object;
    const label = `${document.location}: ${kind} ${JSON.stringify(nameOf(object))}`;
    const parse = <T extends { metadata: { name: string; namespace?: string | undefined } }>(schema: z.ZodType<T>, seen: ReadonlyMap<string, Entry<unknown>>) => {
      const parsed = validateWith(schema, object);
      if (!parsed.success) {
        for (const issue of parsed.issues) errors.push(`${label}: ${issue}`);
        return undefined;
      }
      const key = objectKey(parsed.data.metadata.namespace, parsed.data.metadata.name);
      const previous = seen.get(key);
      if (previous === undefined) return { key, entry: { object: parsed.data, location: document.location } };
      errors.push(`${label}: also defined in ${previous.location}`);
      return undefined;
    };
    if (apiVersion === KAGENT_V1ALPHA2 && kind === 'Agent') {
      const parsed = parse(kagentAgentSchema, inputs.agents);
      if (parsed !== undefined) inputs.agents.set(parsed.key, parsed.entry);
    } else if (apiVersion === KAGENT_V1ALPHA2 && kind === 'ModelConfig') {
      const parsed = parse(kagentModelConfigSchema, inputs.modelConfigs);
      if (parsed !== undefined) inputs.modelConfigs.set(parsed.key, parsed.entry);
    } else if (apiVersion === KAGENT_V1ALPHA2 && kind === 'RemoteMCPServer') {
      const parsed = parse(remoteMcpServerSchema, inputs.remoteMcpServers);
      if (parsed !== undefined) inputs.remoteMcpServers.set(parsed.key, { ...parsed.entry, usedBy: new Set(), report: reportFor(kind, parsed.entry.object.metadata) });
    } else if (KMCP_VERSIONS.includes(apiVersion) && kind === 'MCPServer') {
      const parsed = parse(mcpServerSchema, inputs.mcpServers);
      if (parsed !== undefined) inputs.mcpServers.set(parsed.key, { ...parsed.entry, usedBy: new Set(), report: reportFor(kind, parsed.entry.object.metadata) });
    } else if (apiVersion === 'v1' && kind === 'Service') {
      // Not kagent's: read when it has what a tool needs, passed over otherwise.
      const parsed = serviceSchema.safeParse(object);
      const key = parsed.success ? objectKey(parsed.data.metadata.namespace, parsed.data.metadata.name) : undefined;
      if (parsed.success && key !== undefined && !inputs.services.has(key)) inputs.services.set(key, { object: parsed.data, location: document.location });
    } else if (apiVersion.startsWith(`${KAGENT_GROUP}/`)) {
      const metadata = isRecord(object.metadata) ? object.metadata : {};
      const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
      others.push({ kind, apiVersion, metadata: { name: nameOf(object), namespace } });
    }
    // Anything else (Secrets, ConfigMaps, Deployments …) is not kagent's: not read.
  }
  if (errors.length === 0 && inputs.agents.size === 0 && inputs.modelConfigs.size === 0) {
    errors.push(`no kagent Agent or ModelConfig (${KAGENT_V1ALPHA2}) in the input`);
  }
  if (errors.length > 0) return { objects: [], report: [], errors };

  const modelConfigs: KubeObject[] = [];
  for (const [key, { object }] of sorted(inputs.modelConfigs)) {
    const converted = convertModelConfig(object, reportFor('ModelConfig', object.metadata));
    if (converted === undefined) inputs.unconvertedModelConfigs.add(key);
    else modelConfigs.push(converted);
  }
  const agents: KubeObject[] = [];
  for (const [, { object }] of sorted(inputs.agents)) {
    const converted = convertAgent(object, reportFor('Agent', object.metadata), inputs);
    if (converted !== undefined) agents.push(converted);
  }
  for (const [, server] of sorted(inputs.remoteMcpServers)) {
    if (server.usedBy.size === 0) {
      server.report.notConverted([], 'Agentry has no MCP server kind (an Agent names the server in its tools), and no Agent in the input uses this one');
    }
  }
  for (const [, server] of sorted(inputs.mcpServers)) {
    const port = server.object.spec?.deployment?.port ?? KMCP_DEFAULT_PORT;
    server.report.notConverted(
      [],
      server.usedBy.size === 0
        ? 'Agentry does not run MCP servers, and no Agent in the input uses this one'
        : `Agentry does not run MCP servers: keep this one running (with kmcp, or as a Deployment and Service of your own); ${[...server.usedBy].sort().join(', ')} call${server.usedBy.size === 1 ? 's' : ''} it at its Service ${server.object.metadata.name}, port ${port}`,
    );
  }
  for (const other of others) {
    const reason =
      other.apiVersion !== KAGENT_V1ALPHA2 && (other.kind === 'Agent' || other.kind === 'ModelConfig')
        ? `only ${KAGENT_V1ALPHA2} Agents and ModelConfigs are converted: export this one from a kagent that serves ${KAGENT_V1ALPHA2}`
        : `${other.apiVersion} ${other.kind} has no Agentry equivalent`;
    reportFor(other.kind, other.metadata).notConverted([], reason);
  }
  return { objects: [...modelConfigs, ...agents], report: sortReport(entries), errors: [] };
}

function nameOf(object: Record<string, unknown>): string {
  return isRecord(object.metadata) && typeof object.metadata.name === 'string' ? object.metadata.name : '';
}

/** Entries by namespace, then name (the keys are `namespace/name`). */
function sorted<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map.entries()].sort(([a], [b]) => compare(a, b));
}

function sortReport(entries: readonly ReportEntry[]): ReportEntry[] {
  const rank = (entry: ReportEntry) => {
    const kind = entry.subject.split(' ')[0] ?? '';
    const index = KIND_ORDER.indexOf(kind);
    return index === -1 ? KIND_ORDER.length : index;
  };
  // Array.prototype.sort is stable: an object's entries keep the order they were found in.
  return [...entries].sort((a, b) => rank(a) - rank(b) || compare(sortKey(a.subject), sortKey(b.subject)));
}

/** `Agent finance/x` → `Agent finance/x`; `Agent x` (no namespace) → `Agent /x`, so that it sorts like its key. */
function sortKey(subject: string): string {
  const [kind, rest = ''] = subject.split(' ');
  return `${kind ?? ''} ${rest.includes('/') ? rest : `/${rest}`}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
