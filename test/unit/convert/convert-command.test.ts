// `agentry convert`: flags, files, formats and exit statuses, with in-memory files. What a conversion
// produces is in the golden cases (kagent-golden.test.ts).
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';

import { CONVERT_USAGE, convertCommand } from '../../../src/cli/convert-command.js';
import { main, USAGE } from '../../../src/cli/main.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';

const modelConfig = `apiVersion: kagent.dev/v1alpha2
kind: ModelConfig
metadata: {name: default-model-config, namespace: team}
spec: {provider: OpenAI, model: gpt-4o, apiKeySecret: openai, apiKeySecretKey: api-key}
`;

const agent = (name = 'helper', extra = '') => `apiVersion: kagent.dev/v1alpha2
kind: Agent
metadata: {name: ${name}, namespace: team}
spec:
  type: Declarative
  declarative:
    systemMessage: You help.
    modelConfig: default-model-config
    a2aConfig: {skills: [{id: help, name: Help}]}${extra}
`;

async function run(argv: string[], files: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await convertCommand(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readFile: (path) => (path in files ? Promise.resolve(files[path] ?? '') : Promise.reject(new Error(`ENOENT: no such file, open '${path}'`))),
  });
  return { code, stdout, stderr };
}

const kinds = (stream: string) => parseAllDocuments(stream).map((d) => `${(d.toJS() as KubeObject).kind}/${(d.toJS() as KubeObject).metadata.name}`);

describe('agentry convert', () => {
  it('is a command of agentry', async () => {
    expect(USAGE).toContain('convert  convert kagent Agents and ModelConfigs');
    let stdout = '';
    const code = await main(['convert', '--help'], { stdout: (s) => (stdout += s), stderr: () => undefined, readFile: () => Promise.reject(new Error('no')) });
    expect({ code, stdout }).toEqual({ code: 0, stdout: CONVERT_USAGE });
  });

  it('prints its help', async () => {
    expect(await run(['kagent', '--help'])).toEqual({ code: 0, stdout: CONVERT_USAGE, stderr: '' });
    expect(await run(['help'])).toEqual({ code: 0, stdout: CONVERT_USAGE, stderr: '' });
  });

  it.each([
    [[], 'name what to convert from: agentry convert kagent'],
    [['ark', '-f', 'x.yaml'], 'cannot convert from "ark": only kagent'],
    [['kagent'], 'at least one -f FILE is required'],
    [['kagent', '-f', 'a.yaml', '-o', 'toml'], '-o must be yaml or json, got "toml"'],
    [['kagent', '-f', '-', '-f', '-'], "standard input ('-f -') may be read once"],
    [['kagent', '--frobnicate'], "Unknown option '--frobnicate'"],
  ])('refuses %j with a usage error', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`agentry convert: ${message}`);
    expect(result.stderr).toContain(CONVERT_USAGE);
  });

  it('exits 0 and says so when everything converted', async () => {
    const result = await run(['kagent', '-f', 'all.yaml'], { 'all.yaml': `${modelConfig}---\n${agent()}` });
    expect(result.code).toBe(0);
    expect(kinds(result.stdout)).toEqual(['ModelConfig/default-model-config', 'Agent/helper']);
    expect(result.stderr).toBe('agentry convert kagent: converted 1 Agent and 1 ModelConfig; nothing left out\n');
  });

  it('exits 3 with one line per field left out, and still prints what converted', async () => {
    const result = await run(['kagent', '-f', 'all.yaml'], { 'all.yaml': `${modelConfig}---\n${agent('helper', '\n    memory: {modelConfig: embeddings}')}` });
    expect(result.code).toBe(3);
    expect(kinds(result.stdout)).toEqual(['ModelConfig/default-model-config', 'Agent/helper']);
    expect(result.stderr.split('\n')).toEqual([
      "Agent team/helper: spec.declarative.memory: not converted: Agentry keeps no long-term memory: tasks and contexts live in the runtime's bounded memory",
      'agentry convert kagent: converted 1 Agent and 1 ModelConfig; 1 item above not converted or to check',
      '',
    ]);
  });

  it('reads several files, standard input and Lists, and prints a JSON List with -o json', async () => {
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [parse(agent('a')), parse(agent('b'))] });
    const result = await run(['kagent', '-f', 'mc.yaml', '--filename=-', '-o', 'json'], { 'mc.yaml': modelConfig, '-': list });
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { apiVersion: string; kind: string; items: KubeObject[] };
    expect({ apiVersion: parsed.apiVersion, kind: parsed.kind }).toEqual({ apiVersion: 'v1', kind: 'List' });
    expect(parsed.items.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ModelConfig/default-model-config', 'Agent/a', 'Agent/b']);
    const yaml = await run(['kagent', '-f', 'mc.yaml', '-f', '-'], { 'mc.yaml': modelConfig, '-': list });
    expect(parseAllDocuments(yaml.stdout).map((d) => d.toJS() as unknown)).toEqual(parsed.items);
  });

  it('writes strings YAML 1.1 would read as something else quoted, as kubectl reads YAML 1.1', async () => {
    const azure = `apiVersion: kagent.dev/v1alpha2
kind: ModelConfig
metadata: {name: azure, namespace: team}
spec:
  provider: AzureOpenAI
  model: gpt-4o
  apiKeySecret: azure
  apiKeySecretKey: key
  azureOpenAI: {azureEndpoint: "https://acme.openai.azure.com", apiVersion: "2024-10-21", azureDeployment: "on"}
`;
    const result = await run(['kagent', '-f', 'azure.yaml'], { 'azure.yaml': azure });
    expect(result.code).toBe(0);
    const [document] = parseAllDocuments(result.stdout, { version: '1.1' });
    expect(document?.toJS()).toMatchObject({ spec: { azure: { apiVersion: '2024-10-21', deployment: 'on' } } });
  });

  it('exits 1 and prints nothing for input it cannot read or kagent would refuse', async () => {
    expect(await run(['kagent', '-f', 'nope.yaml'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "nope.yaml: cannot read: ENOENT: no such file, open 'nope.yaml'\n",
    });
    const twice = await run(['kagent', '-f', 'a.yaml', '-f', 'b.yaml'], { 'a.yaml': `${modelConfig}---\n${agent()}`, 'b.yaml': agent() });
    expect(twice).toEqual({ code: 1, stdout: '', stderr: 'b.yaml: Agent "helper": also defined in a.yaml (document 2)\n' });
    const invalid = await run(['kagent', '-f', '-'], { '-': agent('helper', '\n    stream: sometimes') });
    expect(invalid).toEqual({ code: 1, stdout: '', stderr: '<stdin>: Agent "helper": spec.declarative.stream: Invalid input: expected boolean, received string\n' });
  });
});
