// Kubeconfig parsing and $KUBECONFIG merging, against real files in a temp directory: which file's
// definition wins, where relative paths point, which context is current, and what a user is told
// when the file asks for something agentry does not do.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ExecCredentialPlugin } from '../../../src/kube/exec-credential-plugin.js';
import { KubeConnection } from '../../../src/kube/kube-connection.js';
import { loadKubeconfigFiles, parseKubeconfig } from '../../../src/kube/kubeconfig-file.js';

let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentry-kubeconfig-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` (YAML-serialized unless a string) to `dir/relative`, creating directories; returns the path. */
async function put(relative: string, content: unknown): Promise<string> {
  const path = join(dir, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, typeof content === 'string' ? content : YAML.stringify(content));
  return path;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A minimal one-context kubeconfig; `overrides` are merged over the cluster, user and context. */
function kubeconfig(overrides: { cluster?: object; user?: object; context?: object; currentContext?: string | null } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://c.example:6443', ...overrides.cluster } }],
    users: [{ name: 'u', user: { token: 'tok', ...overrides.user } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', ...overrides.context } }],
    ...(overrides.currentContext === null ? {} : { 'current-context': overrides.currentContext ?? 'ctx' }),
  };
}

describe('parseKubeconfig / loadKubeconfigFiles', () => {
  it('reads the current context: server, TLS settings, token, namespace and where it came from', async () => {
    const path = await put(
      'config',
      kubeconfig({
        cluster: { 'certificate-authority-data': b64('CA PEM'), 'tls-server-name': 'api.internal', 'insecure-skip-tls-verify': false },
        context: { namespace: 'team-a' },
      }),
    );
    const ctx = loadKubeconfigFiles([path]);
    expect(ctx).toMatchObject({
      server: 'https://c.example:6443',
      tlsServerName: 'api.internal',
      insecureSkipTlsVerify: false,
      token: 'tok',
      tokenFile: undefined,
      namespace: 'team-a',
      source: `${path} (context ctx)`,
    });
    expect(ctx.caPem?.toString()).toBe('CA PEM');
    expect(ctx.exec).toBeUndefined();
  });

  it('prefers *-data fields over their file counterparts (the files are not even read)', async () => {
    const path = await put(
      'config',
      kubeconfig({
        cluster: { 'certificate-authority-data': b64('CA DATA'), 'certificate-authority': 'missing-ca.pem' },
        user: {
          token: undefined,
          'client-certificate-data': b64('CERT DATA'),
          'client-certificate': 'missing-cert.pem',
          'client-key-data': b64('KEY DATA'),
          'client-key': 'missing-key.pem',
        },
      }),
    );
    const ctx = loadKubeconfigFiles([path]);
    expect(ctx.caPem?.toString()).toBe('CA DATA');
    expect(ctx.clientCertificatePem?.toString()).toBe('CERT DATA');
    expect(ctx.clientKeyPem?.toString()).toBe('KEY DATA');
  });

  it("resolves relative paths against the directory of the file that holds them, absolute ones as they are", async () => {
    await put('conf/certs/ca.pem', 'RELATIVE CA');
    await put('conf/certs/client.pem', 'RELATIVE CERT');
    const absoluteKey = await put('elsewhere/client.key', 'ABSOLUTE KEY');
    const path = await put(
      'conf/kubeconfig',
      kubeconfig({
        cluster: { 'certificate-authority': 'certs/ca.pem' },
        user: { token: undefined, tokenFile: './token', 'client-certificate': 'certs/client.pem', 'client-key': absoluteKey },
      }),
    );
    // Loaded through a relative path from another working directory: still relative to the file.
    const ctx = loadKubeconfigFiles([path]);
    expect(ctx.caPem?.toString()).toBe('RELATIVE CA');
    expect(ctx.clientCertificatePem?.toString()).toBe('RELATIVE CERT');
    expect(ctx.clientKeyPem?.toString()).toBe('ABSOLUTE KEY');
    expect(ctx.tokenFile).toBe(join(dir, 'conf', 'token'));

    const fromText = parseKubeconfig(
      YAML.stringify(kubeconfig({ cluster: { 'certificate-authority': 'certs/ca.pem' } })),
      { baseDir: join(dir, 'conf'), source: 'inline' },
    );
    expect(fromText.caPem?.toString()).toBe('RELATIVE CA');
  });

  it('merges a file list: the first definition of a name wins, the first current-context wins, paths stay relative to their own file', async () => {
    await put('b/ca.pem', 'CA OF B');
    await put('a/ca.pem', 'CA OF A');
    const a = await put('a/config', {
      clusters: [{ name: 'shared', cluster: { server: 'https://a.example' } }],
      users: [{ name: 'shared-user', user: { token: 'token-from-a' } }],
      contexts: [{ name: 'ctx-a', context: { cluster: 'shared', user: 'shared-user', namespace: 'from-a' } }],
      // no current-context: the next file's counts
    });
    const b = await put('b/config', {
      clusters: [
        { name: 'shared', cluster: { server: 'https://b.example' } },
        { name: 'only-b', cluster: { server: 'https://only-b.example', 'certificate-authority': 'ca.pem' } },
      ],
      users: [
        { name: 'shared-user', user: { token: 'token-from-b' } },
        { name: 'b-user', user: { tokenFile: 'token' } },
      ],
      contexts: [
        { name: 'ctx-a', context: { cluster: 'only-b', namespace: 'from-b' } },
        { name: 'ctx-b', context: { cluster: 'shared', user: 'shared-user' } },
        { name: 'ctx-only-b', context: { cluster: 'only-b', user: 'b-user' } },
      ],
      'current-context': 'ctx-b',
    });
    const c = await put('c/config', { ...kubeconfig(), 'current-context': 'ctx' });

    const current = loadKubeconfigFiles([a, b, c]);
    // current-context from b (a sets none, c comes later); cluster and user as a defined them.
    expect(current).toMatchObject({ server: 'https://a.example', token: 'token-from-a', source: `${a}:${b}:${c} (context ctx-b)` });

    // ctx-a: a's definition, not b's.
    expect(loadKubeconfigFiles([a, b, c], 'ctx-a')).toMatchObject({ server: 'https://a.example', namespace: 'from-a' });

    // b's own entries resolve their relative paths against b/, not against the first file's directory.
    const onlyB = loadKubeconfigFiles([a, b, c], 'ctx-only-b');
    expect(onlyB.caPem?.toString()).toBe('CA OF B');
    expect(onlyB.tokenFile).toBe(join(dir, 'b', 'token'));

    // Order matters: with c first, its current-context wins.
    expect(loadKubeconfigFiles([c, a, b])).toMatchObject({ server: 'https://c.example:6443', source: `${c}:${a}:${b} (context ctx)` });
  });

  it('skips files of the list that do not exist, and fails when none does', async () => {
    const real = await put('config', kubeconfig());
    const ghost = join(dir, 'missing');
    expect(loadKubeconfigFiles([ghost, real, join(dir, 'also-missing')]).server).toBe('https://c.example:6443');
    expect(() => loadKubeconfigFiles([ghost])).toThrow(`no kubeconfig file found at ${ghost}`);
    expect(() => loadKubeconfigFiles([])).toThrow('no kubeconfig file found');
  });

  it('uses a named context over the current one', async () => {
    const path = await put('config', {
      ...kubeconfig(),
      clusters: [
        { name: 'c', cluster: { server: 'https://c.example:6443' } },
        { name: 'other', cluster: { server: 'https://other.example' } },
      ],
      contexts: [
        { name: 'ctx', context: { cluster: 'c', user: 'u' } },
        { name: 'other-ctx', context: { cluster: 'other', namespace: 'ns2' } },
      ],
    });
    expect(loadKubeconfigFiles([path], 'other-ctx')).toMatchObject({ server: 'https://other.example', namespace: 'ns2', token: undefined, source: `${path} (context other-ctx)` });
    const connection = KubeConnection.fromKubeconfigFile(path, 'other-ctx');
    expect(connection.server.href).toBe('https://other.example/');
    expect(connection.namespace).toBe('ns2');
  });

  it('treats empty strings as absent: a token of "" falls back to tokenFile, an empty namespace is no namespace', async () => {
    const path = await put('config', kubeconfig({ user: { token: '', tokenFile: '/var/token' }, context: { namespace: '' } }));
    expect(loadKubeconfigFiles([path])).toMatchObject({ token: undefined, tokenFile: '/var/token', namespace: undefined });
    // A token and a tokenFile: the token.
    const both = await put('both', kubeconfig({ user: { token: 'inline', tokenFile: '/var/token' } }));
    expect(loadKubeconfigFiles([both])).toMatchObject({ token: 'inline', tokenFile: undefined });
  });

  it('reads basic auth and builds an exec plugin for an exec user', async () => {
    const basic = await put('basic', kubeconfig({ user: { token: undefined, username: 'admin', password: 's3cret' } }));
    expect(loadKubeconfigFiles([basic])).toMatchObject({ username: 'admin', password: 's3cret', token: undefined });
    const exec = await put('exec', kubeconfig({ user: { token: undefined, exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'get-token' } } }));
    expect(loadKubeconfigFiles([exec]).exec).toBeInstanceOf(ExecCredentialPlugin);
  });

  describe('errors', () => {
    const cases: [string, object, string | RegExp][] = [
      ['no current context', kubeconfig({ currentContext: null }), 'no current-context is set and no context was named'],
      ['an unknown current context', kubeconfig({ currentContext: 'nope' }), 'context "nope" not found'],
      ['a context whose cluster is missing', kubeconfig({ context: { cluster: 'gone' } }), 'cluster "gone" of context "ctx" not found'],
      ['a context whose user is missing', kubeconfig({ context: { user: 'ghost' } }), 'user "ghost" of context "ctx" not found'],
      ['a proxy-url', kubeconfig({ cluster: { 'proxy-url': 'http://proxy:3128' } }), 'cluster "c" uses proxy-url, which agentry does not support'],
      [
        'an auth-provider',
        kubeconfig({ user: { 'auth-provider': { name: 'gcp' } } }),
        'user "u" uses an auth-provider plugin (removed from kubectl in 1.26); use an exec credential plugin',
      ],
      ['impersonation ("as")', kubeconfig({ user: { as: 'someone' } }), 'user "u" sets "as" (impersonation), which agentry does not support'],
      ['a cluster without a server', { ...kubeconfig(), clusters: [{ name: 'c', cluster: { server: '' } }] }, /: clusters\.0\.cluster\.server: /],
      ['a field of the wrong type', kubeconfig({ cluster: { 'insecure-skip-tls-verify': 'yes' } }), /: clusters\.0\.cluster\.insecure-skip-tls-verify: /],
      ['an exec block without a command', kubeconfig({ user: { exec: { apiVersion: 'v1' } } }), /: users\.0\.user\.exec\.command: /],
    ];
    it.each(cases)('rejects %s, naming the file', async (_name, config, message) => {
      const path = await put('config', config);
      expect(() => loadKubeconfigFiles([path])).toThrow(message);
      expect(() => loadKubeconfigFiles([path])).toThrow(path);
    });

    it('rejects a context name that is not defined', async () => {
      const path = await put('config', kubeconfig());
      expect(() => loadKubeconfigFiles([path], 'prod')).toThrow(`${path}: context "prod" not found`);
    });

    it('rejects text that is not YAML, or not a kubeconfig', async () => {
      const notYaml = await put('not-yaml', 'clusters: [unclosed\n  - : :');
      expect(() => loadKubeconfigFiles([notYaml])).toThrow(`${notYaml}: not YAML: `);
      const scalar = await put('scalar', 'just a string\n');
      expect(() => loadKubeconfigFiles([scalar])).toThrow(`${scalar}: `);
      const listOfClusters = await put('wrong-shape', { clusters: { c: { server: 'x' } } });
      expect(() => loadKubeconfigFiles([listOfClusters])).toThrow(`${listOfClusters}: clusters: `);
    });

    it('names the field and the path of a referenced file that cannot be read', async () => {
      const path = await put('config', kubeconfig({ cluster: { 'certificate-authority': 'nowhere/ca.pem' } }));
      expect(() => loadKubeconfigFiles([path])).toThrow(`${path}: certificate-authority ${join(dir, 'nowhere', 'ca.pem')}: ENOENT`);
    });

    it('rejects a client certificate without its key', async () => {
      const path = await put('config', kubeconfig({ user: { token: undefined, 'client-certificate-data': b64('CERT') } }));
      expect(() => KubeConnection.fromKubeconfigFile(path)).toThrow('a client certificate needs its key, and a key its certificate');
    });
  });
});
