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
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';

import type { Agent } from '../../../src/api/agent.js';
import type { ModelConfig } from '../../../src/api/model-config.js';
import { renderCommand } from '../../../src/cli/render-command.js';
import { toYamlStream } from '../../../src/render/manifest-stream.js';
import { render } from '../../../src/render/render.js';
import { CONFIG_FILE, EXPECTED_ERROR_FILE, EXPECTED_FILE, INPUT_FILE, loadGoldenCases } from './golden-cases.js';
import type { GoldenCase } from './golden-cases.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

function renderCase(testCase: GoldenCase) {
  const related = testCase.modelConfig === undefined ? {} : { modelConfig: testCase.modelConfig as ModelConfig };
  return render(testCase.agent as Agent, related, testCase.config);
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

  // The CLI must print exactly what render returns: it is how users preview what the operator applies.
  it.each(cases.map((c) => [c.name, c] as const))('agentry render prints the same for %s', async (_name, testCase) => {
    const files: Record<string, string> = { [INPUT_FILE]: readFileSync(join(testCase.directory, INPUT_FILE), 'utf8') };
    const argv = ['-f', INPUT_FILE];
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
