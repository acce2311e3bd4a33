// Loads the golden cases under test/fixtures/render (see the README there for the conventions).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseAllDocuments } from 'yaml';

import { defaultOperatorConfig, parseOperatorConfig } from '../../../src/config/operator-config.js';
import type { OperatorConfig } from '../../../src/config/operator-config.js';
import { isRecord, toKubeObject } from '../../../src/kube/kube-object.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { remoteAgentServiceReference, toolReferences } from '../../../src/render/tool-references.js';
import { toolServiceProjection } from '../../../src/render/tool-service.js';

export const GOLDEN_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/render');

export const INPUT_FILE = 'input.yaml';
export const CONFIG_FILE = 'config.yaml';
export const EXPECTED_FILE = 'expected.yaml';
export const EXPECTED_ERROR_FILE = 'expected-error.yaml';
export const RELATED_FILE = 'related.yaml';

export interface GoldenCase {
  name: string;
  directory: string;
  /** The Agent, as written (not validated: render must validate it). */
  agent: unknown;
  /** The ModelConfig the Agent names, looked up by namespace and name as the operator would. */
  modelConfig: unknown;
  config: OperatorConfig;
  hasConfigFile: boolean;
  /** What else the cluster holds (related.yaml), looked up as the operator does. */
  related: {
    /** The Agents the Agent's tools name, of those in related.yaml. */
    toolAgents: KubeObject[];
    /** The RemoteAgents its tools name, with their status (what the RemoteAgent controller reported). */
    toolRemoteAgents: KubeObject[];
    /** The Services its tools name, and those its RemoteAgents name. */
    toolServices: KubeObject[];
    /** The Agents whose tools name it. */
    callers: KubeObject[];
  };
  /** The case has a related.yaml, which `agentry render` does not read. */
  hasRelatedFile: boolean;
}

export function loadGoldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIRECTORY, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map(loadGoldenCase);
}

function loadGoldenCase(name: string): GoldenCase {
  const directory = join(GOLDEN_DIRECTORY, name);
  const documents = parseAllDocuments(readFileSync(join(directory, INPUT_FILE), 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${name}: ${INPUT_FILE} is empty`);
  const objects = documents.map((d) => d.toJS() as unknown).filter(isRecord);
  const agents = objects.filter((o) => o.kind === 'Agent');
  const agent = agents[0];
  if (agents.length !== 1 || agent === undefined) throw new Error(`${name}: ${INPUT_FILE} must hold exactly one Agent`);
  const namespace = field(agent, 'metadata', 'namespace');
  const modelConfigName = field(agent, 'spec', 'declarative', 'modelConfig');
  const modelConfig = objects.find(
    (o) => o.kind === 'ModelConfig' && field(o, 'metadata', 'name') === modelConfigName && field(o, 'metadata', 'namespace') === namespace,
  );
  const configPath = join(directory, CONFIG_FILE);
  const hasConfigFile = existsSync(configPath);
  const config = hasConfigFile ? parseOperatorConfig(readFileSync(configPath, 'utf8'), configPath) : defaultOperatorConfig();
  const relatedPath = join(directory, RELATED_FILE);
  const hasRelatedFile = existsSync(relatedPath);
  const related = relatedObjects(agent, hasRelatedFile ? readObjects(relatedPath, name) : []);
  return { name, directory, agent, modelConfig, config, hasConfigFile, related, hasRelatedFile };
}

function readObjects(path: string, name: string): Record<string, unknown>[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${name}: ${path} is empty`);
  return documents.map((d) => d.toJS() as unknown).filter(isRecord);
}

/** What the reconciler would find in its caches, from the objects of related.yaml. */
function relatedObjects(agent: Record<string, unknown>, objects: Record<string, unknown>[]): GoldenCase['related'] {
  const cluster = objects.map((o) => toKubeObject(o));
  const own = { namespace: field(agent, 'metadata', 'namespace'), name: field(agent, 'metadata', 'name') };
  const named = (o: KubeObject, ref: { namespace: unknown; name: unknown }) => o.metadata.namespace === ref.namespace && o.metadata.name === ref.name;
  const references = toolReferences(agent);
  const agents = cluster.filter((o) => o.kind === 'Agent');
  const toolRemoteAgents = cluster.filter((o) => o.kind === 'RemoteAgent' && references.remoteAgents.some((ref) => named(o, ref)));
  const serviceRefs = [...references.services, ...toolRemoteAgents.flatMap((r) => remoteAgentServiceReference(r) ?? [])];
  return {
    toolAgents: agents.filter((o) => references.agents.some((ref) => named(o, ref))),
    toolRemoteAgents,
    toolServices: cluster.filter((o) => o.kind === 'Service' && serviceRefs.some((ref) => named(o, ref))).map(toolServiceProjection),
    callers: agents.filter((o) => toolReferences(o).agents.some((ref) => ref.namespace === own.namespace && ref.name === own.name)),
  };
}

function field(object: unknown, ...path: string[]): unknown {
  let value = object;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return value;
}

