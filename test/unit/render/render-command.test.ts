// `agentry render`, with in-memory files.
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments, stringify } from 'yaml';

import { renderCommand, RENDER_USAGE } from '../../../src/cli/render-command.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';

const agentYaml = (name = 'echo', namespace: string | undefined = 'default', spec = 'type: Declarative\n  declarative: {systemMessage: hi, modelConfig: default}') =>
  `apiVersion: agentry.dev/v1alpha1
kind: Agent
metadata:
  name: ${name}
${namespace === undefined ? '' : `  namespace: ${namespace}\n`}spec:
  ${spec}
`;

const modelConfigYaml = (namespace = 'default', name = 'default') => `apiVersion: agentry.dev/v1alpha1
kind: ModelConfig
metadata: {name: ${name}, namespace: ${namespace}}
spec: {provider: Ollama, model: llama3.2, baseUrl: "http://ollama:11434"}
`;

async function run(argv: string[], files: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await renderCommand(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readFile: (path) => (path in files ? Promise.resolve(files[path] ?? '') : Promise.reject(new Error(`ENOENT: no such file, open '${path}'`))),
  });
  return { code, stdout, stderr };
}

const kinds = (yamlStream: string) => parseAllDocuments(yamlStream).map((d) => (d.toJS() as KubeObject).kind);

describe('agentry render', () => {
  it('prints the manifests of an Agent and its ModelConfig as a YAML stream', async () => {
    const { code, stdout, stderr } = await run(['-f', 'all.yaml'], { 'all.yaml': `${agentYaml()}---\n${modelConfigYaml()}` });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(kinds(stdout)).toEqual(['ServiceAccount', 'ConfigMap', 'NetworkPolicy', 'Deployment', 'Service']);
  });

  it('prints a JSON List with -o json', async () => {
    const { code, stdout } = await run(['-f', 'agent.yaml', '--filename=mc.yaml', '-o', 'json'], { 'agent.yaml': agentYaml(), 'mc.yaml': modelConfigYaml() });
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { apiVersion: string; kind: string; items: KubeObject[] };
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    expect(list.items.map((o) => o.kind)).toEqual(['ServiceAccount', 'ConfigMap', 'NetworkPolicy', 'Deployment', 'Service']);
  });

  it('renders several Agents, in input order, and uses the operator configuration', async () => {
    const config = 'gateway:\n  parentRefs: [{name: gw, namespace: gateway-system}]\na2a: {appProtocol: agentgateway.dev/a2a}\n';
    const byo = agentYaml('b', 'default', 'type: BYO\n  byo: {image: ghcr.io/acme/b:1}\n  a2aConfig: {skills: [{id: s, name: S}]}');
    const { code, stdout } = await run(['-f', 'a.yaml', '-f', 'b.yaml', '--config', 'config.yaml'], {
      'a.yaml': `${agentYaml('a')}---\n${modelConfigYaml()}`,
      'b.yaml': byo,
      'config.yaml': config,
    });
    expect(code).toBe(0);
    const objects = parseAllDocuments(stdout).map((d) => d.toJS() as KubeObject);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/a', 'ConfigMap/a', 'NetworkPolicy/a', 'Deployment/a', 'Service/a',
      'ServiceAccount/b', 'ConfigMap/b', 'NetworkPolicy/b', 'Deployment/b', 'Service/b', 'HTTPRoute/b',
    ]);
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'b');
    expect(service?.spec).toMatchObject({ ports: [{ appProtocol: 'agentgateway.dev/a2a' }] });
  });

  it('puts objects without a namespace in "default", as kubectl would, and matches ModelConfigs by namespace', async () => {
    const ok = await run(['-f', 'a.yaml'], { 'a.yaml': `${agentYaml('a', undefined)}---\n${modelConfigYaml('default')}` });
    expect(ok.code).toBe(0);
    expect(parseAllDocuments(ok.stdout).map((d) => (d.toJS() as KubeObject).metadata.namespace)).toEqual(Array(5).fill('default'));

    const elsewhere = await run(['-f', 'a.yaml'], { 'a.yaml': `${agentYaml('a', 'team')}---\n${modelConfigYaml('other')}` });
    expect(elsewhere).toEqual({
      code: 1,
      stdout: '',
      stderr: 'a.yaml (document 1): Agent "a": ModelConfigNotFound: ModelConfig "default" (spec.declarative.modelConfig) not found in namespace "team"\n',
    });
  });

  it('names the file, document and field of a validation error, and prints no manifests', async () => {
    const single = await run(['-f', 'agent.yaml'], { 'agent.yaml': agentYaml('x', 'default', 'type: BYO') });
    expect(single).toEqual({ code: 1, stdout: '', stderr: 'agent.yaml: Agent "x": spec.byo: byo is required when type is BYO\n' });

    const multi = await run(['-f', 'all.yaml'], {
      'all.yaml': `${agentYaml('ok')}---\n${modelConfigYaml()}---\n${agentYaml('bad', 'default', 'type: BYO\n  byo: {image: "", port: 70000}')}`,
    });
    expect(multi.code).toBe(1);
    expect(multi.stdout).toBe('');
    const lines = multi.stderr.split('\n').filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^all\.yaml \(document 3\): Agent "bad": spec\.byo\.(image|port): /);
    expect(lines).toContain('all.yaml (document 3): Agent "bad": spec.byo.port: Too big: expected number to be <=65535');
  });

  it('reports an invalid ModelConfig', async () => {
    const { code, stderr } = await run(['-f', 'mc.yaml', '-f', 'a.yaml'], {
      'a.yaml': agentYaml(),
      'mc.yaml': 'apiVersion: agentry.dev/v1alpha1\nkind: ModelConfig\nmetadata: {name: default, namespace: default}\nspec: {provider: OpenAI, model: gpt-4o}\n',
    });
    expect(code).toBe(1);
    expect(stderr).toBe('mc.yaml: ModelConfig "default": spec.apiKeySecret: apiKeySecret is required when provider is OpenAI, Anthropic, AzureOpenAI or Gemini\n');
  });

  it('reports a render failure of one Agent and prints nothing for the others', async () => {
    const { code, stdout, stderr } = await run(['-f', 'a.yaml'], { 'a.yaml': `${agentYaml('a')}---\n${agentYaml('b')}---\n${modelConfigYaml('default', 'other')}` });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('a.yaml (document 1): Agent "a": ModelConfigNotFound: ');
    expect(stderr).toContain('a.yaml (document 2): Agent "b": ModelConfigNotFound: ');
  });

  it('reads JSON, Lists (as kubectl get -o yaml prints them) and standard input, and ignores other kinds', async () => {
    const list = stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [parse(agentYaml()) as unknown, parse(modelConfigYaml()) as unknown, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }],
    });
    const fromList = await run(['-f', '-'], { '-': list });
    expect(fromList.code).toBe(0);
    expect(kinds(fromList.stdout)).toHaveLength(5);

    const json = JSON.stringify(parse(agentYaml('j', 'default', 'type: BYO\n  byo: {image: ghcr.io/acme/j:1}')));
    const fromJson = await run(['-f', 'agent.json'], { 'agent.json': json });
    expect(fromJson.code).toBe(0);
    expect(kinds(fromJson.stdout)).toEqual(['ServiceAccount', 'ConfigMap', 'NetworkPolicy', 'Deployment', 'Service']);
  });

  it('locates errors inside a List by item', async () => {
    const list = stringify({ apiVersion: 'v1', kind: 'List', items: [parse(agentYaml('x', 'default', 'type: BYO')) as unknown] });
    expect((await run(['-f', 'l.yaml'], { 'l.yaml': list })).stderr).toBe('l.yaml: items[0]: Agent "x": spec.byo: byo is required when type is BYO\n');
  });

  it('ignores the status of an Agent read back from a cluster', async () => {
    const withStatus = `${agentYaml('s', 'default', 'type: BYO\n  byo: {image: ghcr.io/acme/s:1}')}status: {conditions: [{type: Ready}]}\n`;
    expect((await run(['-f', 's.yaml'], { 's.yaml': withStatus })).code).toBe(0);
  });

  it('fails on YAML syntax errors, unreadable files, an invalid configuration, duplicates and no Agent at all', async () => {
    const syntax = await run(['-f', 'bad.yaml'], { 'bad.yaml': 'kind: Agent\nmetadata: {name: [\n' });
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^bad\.yaml: /);

    const missing = await run(['-f', 'nope.yaml'], {});
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining("nope.yaml: cannot read: ENOENT") });

    const config = await run(['-f', 'a.yaml', '--config', 'c.yaml'], { 'a.yaml': agentYaml(), 'c.yaml': 'gateway: {enabeld: true}\n' });
    expect(config.code).toBe(1);
    expect(config.stderr).toContain('invalid operator configuration (c.yaml)');

    const duplicate = await run(['-f', 'a.yaml', '-f', 'b.yaml'], { 'a.yaml': agentYaml(), 'b.yaml': agentYaml() });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('b.yaml: Agent "echo": the Agent default/echo is also defined in a.yaml');

    const none = await run(['-f', 'mc.yaml'], { 'mc.yaml': modelConfigYaml() });
    expect(none).toEqual({ code: 1, stdout: '', stderr: 'no Agent (agentry.dev) found in mc.yaml\n' });

    const empty = await run(['-f', 'empty.yaml'], { 'empty.yaml': '' });
    expect(empty.code).toBe(1);
  });

  it.each([
    [[], 'at least one -f FILE is required'],
    [['-f'], 'argument missing'],
    [['-f', 'a.yaml', '-o', 'xml'], '-o must be yaml or json'],
    [['-f', 'a.yaml', '--nope'], "Unknown option '--nope'"],
    [['a.yaml'], 'Unexpected argument'],
    [['-f', 'a.yaml', '--config', 'x', '--config', 'y'], '--config may be given once'],
    [['-f', '-', '-f', '-'], "standard input ('-f -') may be read once"],
  ])('exits 2 with the usage on %j', async (argv, message) => {
    const { code, stdout, stderr } = await run(argv, { 'a.yaml': agentYaml() });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain(RENDER_USAGE);
  });

  it('prints the usage for --help', async () => {
    expect(await run(['--help'], {})).toEqual({ code: 0, stdout: RENDER_USAGE, stderr: '' });
  });
});

describe('agentry render output', () => {
  it('quotes strings kubectl would read as other types (YAML 1.1: on, yes, dates)', async () => {
    const spec = 'type: BYO\n  byo: {image: "ghcr.io/acme/a:1"}\n  deployment:\n    podLabels: {feature: "on", enabled: "yes"}\n    podAnnotations: {released: "2024-10-21"}';
    const { code, stdout } = await run(['-f', 'a.yaml'], { 'a.yaml': agentYaml('quoted', 'default', spec) });
    expect(code).toBe(0);
    expect(stdout).toContain('feature: "on"');
    expect(stdout).toContain('enabled: "yes"');
    expect(stdout).toContain('released: "2024-10-21"');
  });
});
