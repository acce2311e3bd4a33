// Exec credential plugins, run for real: a small node script stands in for `aws eks get-token` and
// friends. It appends a line to a counter file on every run (so caching is observable), records its
// arguments and KUBERNETES_EXEC_INFO, and answers as PLUGIN_MODE says.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ExecCredentialPlugin, type ExecConfig } from '../../../src/kube/exec-credential-plugin.js';
import { KubeConnection } from '../../../src/kube/kube-connection.js';

const PLUGIN = `#!/usr/bin/env node
const fs = require('node:fs');
const env = process.env;
fs.appendFileSync(env.COUNTER_FILE, 'run\\n');
const runs = fs.readFileSync(env.COUNTER_FILE, 'utf8').split('\\n').filter(Boolean).length;
fs.writeFileSync(env.RECORD_FILE, JSON.stringify({ args: process.argv.slice(2), execInfo: env.KUBERNETES_EXEC_INFO, custom: env.PLUGIN_CUSTOM }));
const answer = () => {
  switch (env.PLUGIN_MODE || 'ok') {
    case 'fail':
      process.stderr.write('boom: not logged in\\n');
      process.exit(3);
    case 'junk':
      return process.stdout.write('Please open https://login.example to sign in\\n');
    case 'cert':
      return process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { clientCertificateData: 'CERT', clientKeyData: 'KEY' } }));
    case 'notoken':
      return process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: {} }));
    default:
      return process.stdout.write(JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token: (env.TOKEN_PREFIX || 'token-') + runs, ...(env.PLUGIN_EXPIRES ? { expirationTimestamp: env.PLUGIN_EXPIRES } : {}) },
      }));
  }
};
setTimeout(answer, Number(env.PLUGIN_DELAY_MS || 0));
`;

let dir = '';
let counterFile = '';
let recordFile = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentry-exec-plugin-'));
  counterFile = join(dir, 'runs');
  recordFile = join(dir, 'record.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Installs the plugin script at `dir/relative` (executable); returns its path. */
async function installPlugin(relative = 'get-token'): Promise<string> {
  const path = join(dir, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, PLUGIN);
  await chmod(path, 0o755);
  return path;
}

async function runs(): Promise<number> {
  return existsSync(counterFile) ? (await readFile(counterFile, 'utf8')).split('\n').filter(Boolean).length : 0;
}

async function record(): Promise<{ args: string[]; execInfo: string; custom?: string }> {
  return JSON.parse(await readFile(recordFile, 'utf8')) as { args: string[]; execInfo: string; custom?: string };
}

/** The plugin's environment: where to count and record, plus `extra`. */
function pluginEnv(extra: Record<string, string> = {}): { name: string; value: string }[] {
  return Object.entries({ COUNTER_FILE: counterFile, RECORD_FILE: recordFile, ...extra }).map(([name, value]) => ({ name, value }));
}

async function plugin(extra: Partial<ExecConfig> & { env?: { name: string; value: string }[] } = {}): Promise<ExecCredentialPlugin> {
  const command = await installPlugin();
  return new ExecCredentialPlugin(
    { apiVersion: 'client.authentication.k8s.io/v1', command, env: pluginEnv(), ...extra },
    { baseDir: dir, server: 'https://api.example:6443', source: 'test-kubeconfig' },
  );
}

describe('ExecCredentialPlugin', () => {
  it('passes args, env and KUBERNETES_EXEC_INFO (without the cluster unless provideClusterInfo)', async () => {
    const p = await plugin({ args: ['eks', 'get-token', '--cluster', 'prod'], env: pluginEnv({ PLUGIN_CUSTOM: 'from-kubeconfig' }) });
    expect(await p.token()).toBe('token-1');
    const seen = await record();
    expect(seen.args).toEqual(['eks', 'get-token', '--cluster', 'prod']);
    expect(seen.custom).toBe('from-kubeconfig');
    expect(JSON.parse(seen.execInfo)).toEqual({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });

    const withCluster = await plugin({ apiVersion: 'client.authentication.k8s.io/v1beta1', provideClusterInfo: true });
    await withCluster.token();
    expect(JSON.parse((await record()).execInfo)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: 'https://api.example:6443' } },
    });
  });

  it('caches a token without an expiry until invalidate()', async () => {
    const p = await plugin();
    expect(await p.token()).toBe('token-1');
    expect(await p.token()).toBe('token-1');
    expect(await runs()).toBe(1);
    p.invalidate();
    expect(await p.token()).toBe('token-2');
    expect(await p.token()).toBe('token-2');
    expect(await runs()).toBe(2);
  });

  it('runs the plugin again 10 s before the expirationTimestamp', async () => {
    const expiresAt = Date.parse('2030-01-01T00:00:00Z');
    const p = await plugin({ env: pluginEnv({ PLUGIN_EXPIRES: '2030-01-01T00:00:00Z' }) });
    expect(await p.token(expiresAt - 60_000)).toBe('token-1');
    expect(await p.token(expiresAt - 10_001)).toBe('token-1');
    expect(await runs()).toBe(1);
    expect(await p.token(expiresAt - 10_000)).toBe('token-2');
    expect(await runs()).toBe(2);
  });

  it('treats an unparseable expirationTimestamp as no expiry', async () => {
    const p = await plugin({ env: pluginEnv({ PLUGIN_EXPIRES: 'soon' }) });
    expect(await p.token()).toBe('token-1');
    expect(await p.token(Date.now() + 365 * 86_400_000)).toBe('token-1');
    expect(await runs()).toBe(1);
  });

  it('shares one run between concurrent callers', async () => {
    const p = await plugin({ env: pluginEnv({ PLUGIN_DELAY_MS: '150' }) });
    const tokens = await Promise.all([p.token(), p.token(), p.token(), p.token(), p.token()]);
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1', 'token-1', 'token-1']);
    expect(await runs()).toBe(1);
  });

  it('reports a failing plugin with its stderr, and tries again on the next call', async () => {
    const p = await plugin({ env: pluginEnv({ PLUGIN_MODE: 'fail' }) });
    const command = join(dir, 'get-token');
    await expect(p.token()).rejects.toThrow(new RegExp(`^test-kubeconfig: exec plugin ${command} failed: .*: boom: not logged in$`, 's'));
    await expect(p.token()).rejects.toThrow('boom: not logged in');
    expect(await runs()).toBe(2);
  });

  it('reports a command that does not exist', async () => {
    const p = new ExecCredentialPlugin({ apiVersion: 'client.authentication.k8s.io/v1', command: join(dir, 'no-such-plugin') }, { baseDir: dir, server: 'https://h', source: 'kc' });
    await expect(p.token()).rejects.toThrow(`kc: exec plugin ${join(dir, 'no-such-plugin')} failed: `);
    await expect(p.token()).rejects.toThrow('ENOENT');
  });

  it.each([
    ['prints something other than an ExecCredential', 'junk', 'did not print an ExecCredential'],
    ['returns client certificates', 'cert', 'returned client certificates, which agentry does not support'],
    ['returns no token', 'notoken', 'returned no token'],
  ])('fails when the plugin %s', async (_what, mode, message) => {
    const p = await plugin({ env: pluginEnv({ PLUGIN_MODE: mode }) });
    await expect(p.token()).rejects.toThrow(`test-kubeconfig: exec plugin ${join(dir, 'get-token')} ${message}`);
  });

  it('resolves a relative command against baseDir, and looks a bare name up on PATH', async () => {
    await installPlugin('bin/kube-token');
    const relative = new ExecCredentialPlugin(
      { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/kube-token', env: pluginEnv() },
      { baseDir: dir, server: 'https://h', source: 'kc' },
    );
    expect(await relative.token()).toBe('token-1');

    // A bare name is not resolved against baseDir (there is a file of that name there, not executable)...
    await writeFile(join(dir, 'kube-token'), 'not a program');
    const bare = new ExecCredentialPlugin(
      { apiVersion: 'client.authentication.k8s.io/v1', command: 'kube-token', env: pluginEnv({ PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` }) },
      { baseDir: dir, server: 'https://h', source: 'kc' },
    );
    // ...but found on the PATH the plugin runs with.
    expect(await bare.token()).toBe('token-2');
  });
});

describe('exec plugins from a kubeconfig', () => {
  const execUser = (command: string, env = pluginEnv()) => ({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command, env, args: ['--flag'] } });

  it('resolves a relative command against the kubeconfig directory and authenticates with its token', async () => {
    await installPlugin('kube/plugins/get-token');
    const path = join(dir, 'kube', 'config');
    await writeFile(
      path,
      YAML.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://api.example' } }],
        users: [{ name: 'u', user: execUser('./plugins/get-token', pluginEnv({ TOKEN_PREFIX: 'kc-' })) }],
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'ctx',
      }),
    );
    const connection = KubeConnection.fromKubeconfigFile(path);
    expect(await connection.authorization()).toEqual({ Authorization: 'Bearer kc-1' });
    expect(await connection.authorization()).toEqual({ Authorization: 'Bearer kc-1' });
    expect((await record()).args).toEqual(['--flag']);
    expect(await runs()).toBe(1);

    // A 401 (KubeClient calls credentialsRejected) makes the next request run the plugin again.
    connection.credentialsRejected();
    expect(await connection.authorization()).toEqual({ Authorization: 'Bearer kc-2' });
    expect(await runs()).toBe(2);
  });

  it('resolves it against the file that defines the user when $KUBECONFIG merges several', async () => {
    await installPlugin('second/get-token');
    const first = join(dir, 'first', 'config');
    const second = join(dir, 'second', 'config');
    await mkdir(join(dir, 'first'));
    await writeFile(
      first,
      YAML.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://api.example' } }],
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'ctx',
      }),
    );
    await writeFile(second, YAML.stringify({ users: [{ name: 'u', user: execUser('./get-token') }] }));
    const connection = KubeConnection.fromKubeconfigFiles([first, second]);
    expect(await connection.authorization()).toEqual({ Authorization: 'Bearer token-1' });
  });
});
