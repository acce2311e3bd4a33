// Loads the golden cases under test/fixtures/render (see the README there for the conventions).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseAllDocuments } from 'yaml';

import { defaultOperatorConfig, parseOperatorConfig } from '../../../src/config/operator-config.js';
import type { OperatorConfig } from '../../../src/config/operator-config.js';

export const GOLDEN_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/render');

export const INPUT_FILE = 'input.yaml';
export const CONFIG_FILE = 'config.yaml';
export const EXPECTED_FILE = 'expected.yaml';
export const EXPECTED_ERROR_FILE = 'expected-error.yaml';

export interface GoldenCase {
  name: string;
  directory: string;
  /** The Agent, as written (not validated: render must validate it). */
  agent: unknown;
  /** The ModelConfig the Agent names, looked up by namespace and name as the operator would. */
  modelConfig: unknown;
  config: OperatorConfig;
  hasConfigFile: boolean;
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
  return { name, directory, agent, modelConfig, config, hasConfigFile };
}

function field(object: unknown, ...path: string[]): unknown {
  let value = object;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
