// Golden tests of `agentry convert kagent`, in the manner of kagent's own translator tests: each folder
// under test/fixtures/convert/kagent/<case>/ holds kagent manifests (input.yaml) and what the command
// prints for them: expected.yaml (standard output; absent when nothing is printed) and
// expected-report.txt (standard error, then the exit status). See the README there.
//
// After an intended change, regenerate the expected files and review the diff:
//
//   UPDATE_GOLDEN=1 NODE_NO_WARNINGS=1 node --experimental-vm-modules node_modules/jest/bin/jest.js \
//     --selectProjects unit --testPathPatterns test/unit/convert
//
// Beyond the golden files, every case checks that the output does not depend on the order of the
// input, that each converted object passes Agentry's own validation, and that each converted Agent
// renders: through `agentry render` itself, and through render() with the peers and Services of the
// case (which `agentry render` is not given) for Agents whose tools name them.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments, stringify } from 'yaml';

import { validateAgent, validateModelConfig } from '../../../src/api/validation.js';
import { convertCommand } from '../../../src/cli/convert-command.js';
import { renderCommand } from '../../../src/cli/render-command.js';
import { defaultOperatorConfig, parseOperatorConfig } from '../../../src/config/operator-config.js';
import { toKubeObject } from '../../../src/kube/kube-object.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { render } from '../../../src/render/render.js';
import { toolReferences } from '../../../src/render/tool-references.js';
import { toolServiceProjection } from '../../../src/render/tool-service.js';
import { updateGolden } from '../../harness/update-golden.js';

const CASES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/convert/kagent');
const INPUT = 'input.yaml';
const EXPECTED = 'expected.yaml';
const EXPECTED_REPORT = 'expected-report.txt';
/** What the cluster already holds, for the render check: Services, Agentry Agents and ModelConfigs. */
const RELATED = 'related.yaml';
/** Operator configuration for the render check. */
const CONFIG = 'config.yaml';
const UPDATE = updateGolden();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], files: Record<string, string>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (s: string) => void (stdout += s),
    stderr: (s: string) => void (stderr += s),
    readFile: (path: string) => (path in files ? Promise.resolve(files[path] ?? '') : Promise.reject(new Error(`ENOENT: ${path}`))),
  };
  const code = argv[0] === 'render' ? await renderCommand(argv.slice(1), io) : await convertCommand(argv, io);
  return { code, stdout, stderr };
}

const read = (name: string, file: string) => readFileSync(join(CASES, name, file), 'utf8');
const has = (name: string, file: string) => existsSync(join(CASES, name, file));
const report = ({ code, stderr }: Run) => `${stderr}exit status: ${code}\n`;
const objectsOf = (text: string): KubeObject[] => {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return [];
  return documents.flatMap((d) => {
    if (d.errors.length > 0) return [];
    const value: unknown = d.toJS();
    return value !== null && typeof value === 'object' && 'metadata' in value ? [toKubeObject(value)] : [];
  });
};

const cases = readdirSync(CASES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('agentry convert kagent: golden cases', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  describe.each(cases)('%s', (name) => {
    const convert = () => run(['kagent', '-f', INPUT], { [INPUT]: read(name, INPUT) });

    it('prints expected.yaml and expected-report.txt', async () => {
      const result = await convert();
      if (UPDATE) {
        const expected = join(CASES, name, EXPECTED);
        if (result.stdout === '') rmSync(expected, { force: true });
        else writeFileSync(expected, result.stdout);
        writeFileSync(join(CASES, name, EXPECTED_REPORT), report(result));
        return;
      }
      expect(result.stdout).toBe(has(name, EXPECTED) ? read(name, EXPECTED) : '');
      expect(report(result)).toBe(read(name, EXPECTED_REPORT));
    });

    it('does not depend on the order of the input', async () => {
      const documents = parseAllDocuments(read(name, INPUT));
      if (!Array.isArray(documents) || documents.length < 2 || documents.some((d) => d.errors.length > 0)) return;
      const reversed = documents
        .map((d) => stringify(d.toJS()))
        .reverse()
        .join('---\n');
      const [original, shuffled] = [await convert(), await run(['kagent', '-f', INPUT], { [INPUT]: reversed })];
      expect(shuffled.stdout).toBe(original.stdout);
      // Locations of invalid input name documents by position; everything else is the same.
      if (original.code !== 1) expect(shuffled.stderr).toBe(original.stderr);
      expect(shuffled.code).toBe(original.code);
    });

    it('prints only objects that Agentry validates and renders', async () => {
      const { stdout } = await convert();
      const converted = objectsOf(stdout);
      for (const object of converted) {
        const valid = object.kind === 'Agent' ? validateAgent(object) : validateModelConfig(object);
        expect({ name: object.metadata.name, ...valid }).toMatchObject({ success: true });
      }
      // The Services of the input (which tools name) are in the cluster too.
      const inputServices = objectsOf(read(name, INPUT)).filter((o) => o.apiVersion === 'v1' && o.kind === 'Service');
      const related = [...inputServices, ...(has(name, RELATED) ? objectsOf(read(name, RELATED)) : [])];
      const config = has(name, CONFIG) ? parseOperatorConfig(read(name, CONFIG), CONFIG) : defaultOperatorConfig();
      const inNamespace = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? 'default' } });
      const cluster = [...converted, ...related].map(inNamespace);
      const named = (o: KubeObject, ref: { namespace: string; name: string }) => o.metadata.namespace === ref.namespace && o.metadata.name === ref.name;
      let referencesPeers = false;
      for (const agent of cluster.filter((o) => o.kind === 'Agent' && converted.some((c) => c.kind === 'Agent' && c.metadata.name === o.metadata.name))) {
        const references = toolReferences(agent);
        referencesPeers ||= references.agents.length > 0 || references.services.length > 0;
        const spec = validateAgent(agent);
        if (!spec.success) throw new Error(spec.issues.join('\n'));
        const modelConfigName = spec.data.spec.declarative?.modelConfig;
        const found = cluster.find((o) => o.kind === 'ModelConfig' && named(o, { namespace: agent.metadata.namespace ?? '', name: modelConfigName ?? '' }));
        const modelConfig = found === undefined ? undefined : validateModelConfig(found);
        const rendered = render(
          spec.data,
          {
            ...(modelConfig?.success === true ? { modelConfig: modelConfig.data } : {}),
            toolAgents: cluster.filter((o) => o.kind === 'Agent' && references.agents.some((ref) => named(o, ref))),
            toolServices: cluster.filter((o) => o.kind === 'Service' && references.services.some((ref) => named(o, ref))).map(toolServiceProjection),
          },
          config,
        );
        expect({ agent: agent.metadata.name, ...(rendered.ok ? { ok: true } : rendered) }).toEqual({ agent: agent.metadata.name, ok: true });
      }
      if (converted.length === 0) return;
      // `agentry render` on the output as printed (and the ModelConfigs the cluster has): it resolves no
      // tools, so Agents whose tools name peers or Services can only fail with ToolNotFound there.
      const files: Record<string, string> = { 'converted.yaml': stdout, ...(has(name, RELATED) ? { [RELATED]: read(name, RELATED) } : {}) };
      const args = ['render', '-f', 'converted.yaml', ...(has(name, RELATED) ? ['-f', RELATED] : []), ...(has(name, CONFIG) ? ['--config', CONFIG] : [])];
      if (has(name, CONFIG)) files[CONFIG] = read(name, CONFIG);
      const rendered = await run(args, files);
      if (!converted.some((o) => o.kind === 'Agent')) return;
      if (referencesPeers) for (const line of rendered.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/: ToolNotFound: /);
      else expect({ code: rendered.code, stderr: rendered.stderr }).toEqual({ code: 0, stderr: '' });
    });
  });
});
