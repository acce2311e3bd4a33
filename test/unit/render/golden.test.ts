// Golden tests: every case under test/fixtures/render/<case>/ is rendered and compared with its
// expected.yaml (the manifests, exactly as `agentry render` prints them) or expected-error.yaml (the
// failure's reason and message).
//
// After an intended change to what render produces, regenerate the expected files and review the diff:
//
//   UPDATE_GOLDEN=1 NODE_NO_WARNINGS=1 node --experimental-vm-modules node_modules/jest/bin/jest.js \
//     --selectProjects unit --testPathPatterns test/unit/render/golden
//
// With UPDATE_GOLDEN=1 the expected files are rewritten (and a stale one of the other kind removed)
// instead of compared; the test then only checks that every case rendered.
//
// Every rendered ConfigMap is also read as the runtime reads it: agent.json through the contract's
// agentConfigSchema and agent-card.json through agentCardSchema, and the parsed value must be the
// file's JSON exactly, so render cannot write a field the contract does not know.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';

import { renderCommand } from '../../../src/cli/render-command.js';
import { agentCardSchema } from '../../../src/contract/agent-card.js';
import { agentConfigSchema } from '../../../src/contract/agent-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { toYamlStream } from '../../../src/render/manifest-stream.js';
import { renderInput } from '../../../src/render/render-input.js';
import { AGENT_CARD_KEY, AGENT_CONFIG_KEY } from '../../../src/render/runtime-contract.js';
import { updateGolden } from '../../harness/update-golden.js';
import { CONFIG_FILE, EXPECTED_ERROR_FILE, EXPECTED_FILE, INPUT_FILE, RELATED_FILE, loadGoldenCases } from './golden-cases.js';
import type { GoldenCase } from './golden-cases.js';

const UPDATE = updateGolden();

/** As the reconciler does: the input parsed at the boundary, then rendered. */
function renderCase(testCase: GoldenCase) {
  return renderInput(testCase.agent, { ...(testCase.modelConfig !== undefined && { modelConfig: testCase.modelConfig }), ...testCase.related }, testCase.config);
}

const configMapSchema = z.object({ kind: z.literal('ConfigMap'), data: z.record(z.string(), z.string()) });

/** The JSON files of the rendered ConfigMaps. */
function contractFiles(objects: readonly KubeObject[]): { key: string; json: unknown }[] {
  return objects.flatMap((object) => {
    const configMap = configMapSchema.safeParse(object);
    if (!configMap.success) return [];
    return Object.entries(configMap.data.data).map(([key, text]) => ({ key, json: JSON.parse(text) as unknown }));
  });
}

/**
 * Paths in `value` that `schema` does not name. The card's objects are loose (a card from elsewhere
 * may carry more), so parsing alone would let an unknown field through: this walks the shapes.
 */
/** Each file of the agent's ConfigMap is exactly what the contract's schema reads from it. */
function expectContractFiles(testCase: GoldenCase, objects: readonly KubeObject[]): void {
  const files = contractFiles(objects);
  expect(files.map((f) => f.key)).toContain(AGENT_CONFIG_KEY);
  for (const { key, json } of files) {
    if (key === AGENT_CONFIG_KEY) {
      expect(agentConfigSchema.parse(json)).toEqual(json);
    } else if (key === AGENT_CARD_KEY) {
      expect(agentCardSchema.parse(json)).toEqual(json);
      expect(unknownFields(agentCardSchema, json)).toEqual([]);
    } else {
      throw new Error(`${testCase.name}: the ConfigMap has a key the runtime does not read: ${key}`);
    }
  }
}

function unknownFields(schema: z.ZodType, value: unknown, path = ''): string[] {
  if (schema instanceof z.ZodOptional) return unknownFields(schema.unwrap() as z.ZodType, value, path);
  if (schema instanceof z.ZodArray && Array.isArray(value)) return value.flatMap((item, i) => unknownFields(schema.element as z.ZodType, item, `${path}[${i}]`));
  if (schema instanceof z.ZodObject && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const shape = schema.shape as Record<string, z.ZodType>;
    return Object.entries(value).flatMap(([key, member]) => {
      const memberSchema = shape[key];
      return memberSchema === undefined ? [`${path}.${key}`] : unknownFields(memberSchema, member, `${path}.${key}`);
    });
  }
  return [];
}

function writeExpected(testCase: GoldenCase, file: string, text: string): void {
  writeFileSync(join(testCase.directory, file), text);
  const other = file === EXPECTED_FILE ? EXPECTED_ERROR_FILE : EXPECTED_FILE;
  rmSync(join(testCase.directory, other), { force: true });
}

const cases = loadGoldenCases();

describe('render golden files', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const result = renderCase(testCase);
    // Before anything is compared or written: an update must not record files the runtime refuses.
    if (result.ok) expectContractFiles(testCase, result.objects);
    if (UPDATE) {
      if (result.ok) writeExpected(testCase, EXPECTED_FILE, toYamlStream(result.objects));
      else writeExpected(testCase, EXPECTED_ERROR_FILE, stringify({ reason: result.reason, message: result.message }, { lineWidth: 0 }));
      return;
    }
    const expectedPath = join(testCase.directory, EXPECTED_FILE);
    const errorPath = join(testCase.directory, EXPECTED_ERROR_FILE);
    if (existsSync(expectedPath)) {
      expect(result).toMatchObject({ ok: true });
      if (result.ok) expect(toYamlStream(result.objects)).toBe(readFileSync(expectedPath, 'utf8'));
    } else if (existsSync(errorPath)) {
      const expected = parse(readFileSync(errorPath, 'utf8')) as unknown;
      expect(result).toEqual({ ok: false, ...(expected as object) });
    } else {
      throw new Error(`${testCase.name}: neither ${EXPECTED_FILE} nor ${EXPECTED_ERROR_FILE} exists; run with UPDATE_GOLDEN=1`);
    }
  });

  it('would notice a field the contract does not know', () => {
    const byo = { agent: { name: 'a', namespace: 'n' }, type: 'BYO', extra: true };
    expect(agentConfigSchema.parse(byo)).not.toEqual(byo);
    expect(unknownFields(agentCardSchema, { name: 'a', capabilities: { streaming: true, pushy: 1 }, skills: [{ id: 's', bogus: 2 }] })).toEqual([
      '.capabilities.pushy',
      '.skills[0].bogus',
    ]);
  });

  // The CLI must print exactly what render returns: it is how users preview what the operator applies.
  // A related.yaml of Services is given to it as the cluster's Services; one with Agents is not
  // (the CLI would render those Agents too).
  const relatedKinds = (c: GoldenCase) => (c.hasRelatedFile ? parseAllDocuments(readFileSync(join(c.directory, RELATED_FILE), 'utf8')).map((d) => (d.toJS() as { kind?: unknown }).kind) : []);
  const cliCases = cases.filter((c) => !relatedKinds(c).includes('Agent'));
  it('gives agentry render the Services of a related.yaml', () => {
    expect(cliCases.filter((c) => c.hasRelatedFile).map((c) => c.name)).toContain('tools-mcp-service');
  });
  it.each(cliCases.map((c) => [c.name, c] as const))('agentry render prints the same for %s', async (_name, testCase) => {
    const files: Record<string, string> = { [INPUT_FILE]: readFileSync(join(testCase.directory, INPUT_FILE), 'utf8') };
    const argv = ['-f', INPUT_FILE];
    if (testCase.hasRelatedFile) {
      files[RELATED_FILE] = readFileSync(join(testCase.directory, RELATED_FILE), 'utf8');
      argv.push('-f', RELATED_FILE);
    }
    if (testCase.hasConfigFile) {
      files[CONFIG_FILE] = readFileSync(join(testCase.directory, CONFIG_FILE), 'utf8');
      argv.push('--config', CONFIG_FILE);
    }
    let stdout = '';
    let stderr = '';
    const code = await renderCommand(argv, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readFile: (path) => Promise.resolve(files[path] ?? ''),
    });
    const result = renderCase(testCase);
    if (result.ok) {
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toBe(toYamlStream(result.objects));
    } else {
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).not.toBe('');
    }
  });
});
