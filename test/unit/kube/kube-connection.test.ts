// KubeConnection: where fromDefault looks (controller-runtime's order), what in-cluster reads from a
// ServiceAccount mount, which Authorization header goes out, and when a token file is re-read.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { KubeConnection } from '../../../src/kube/kube-connection.js';

let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentry-connection-'));
});

afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function put(relative: string, content: string): Promise<string> {
  const path = join(dir, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

/** A kubeconfig whose only context points at `server` (so a test can tell which file was used). */
async function kubeconfigAt(relative: string, server: string, extra: { contexts?: Record<string, string> } = {}): Promise<string> {
  const clusters = [{ name: 'main', cluster: { server } }, ...Object.entries(extra.contexts ?? {}).map(([name, s]) => ({ name, cluster: { server: s } }))];
  const contexts = [{ name: 'main', context: { cluster: 'main' } }, ...Object.keys(extra.contexts ?? {}).map((name) => ({ name, context: { cluster: name } }))];
  return put(relative, YAML.stringify({ clusters, contexts, 'current-context': 'main' }));
}

/** A ServiceAccount mount as the kubelet projects it. */
async function serviceAccountDir(files: { token?: string; namespace?: string } = {}): Promise<string> {
  const sa = join(dir, 'serviceaccount');
  await put('serviceaccount/ca.crt', 'IN-CLUSTER CA');
  if (files.token !== undefined) await put('serviceaccount/token', files.token);
  if (files.namespace !== undefined) await put('serviceaccount/namespace', files.namespace);
  return sa;
}

const inClusterEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('KubeConnection.fromOptions', () => {
  it('rejects a server that is not an http(s) URL, and a certificate without its key', () => {
    expect(() => KubeConnection.fromOptions({ server: 'not a url', source: 'test' })).toThrow('test: server is not a URL: "not a url"');
    expect(() => KubeConnection.fromOptions({ server: 'ftp://host' })).toThrow('server must be an http(s) URL, got ftp://host');
    expect(() => KubeConnection.fromOptions({ server: 'https://h', clientKeyPem: 'KEY' })).toThrow('a client certificate needs its key');
    expect(() => KubeConnection.fromOptions({ server: 'https://h', clientCertificatePem: 'CERT' })).toThrow('a client certificate needs its key');
  });

  it('defaults its source to the server URL', () => {
    const c = KubeConnection.fromOptions({ server: 'https://api.example:6443' });
    expect(c.source).toBe('https://api.example:6443');
    expect(c.namespace).toBeUndefined();
  });
});

describe('KubeConnection.authorization', () => {
  it('sends a bearer token, else basic auth, else nothing', async () => {
    expect(await KubeConnection.fromOptions({ server: 'https://h', token: 'abc' }).authorization()).toEqual({ Authorization: 'Bearer abc' });
    expect(await KubeConnection.fromOptions({ server: 'https://h', username: 'admin', password: 'p:w' }).authorization()).toEqual({
      Authorization: `Basic ${Buffer.from('admin:p:w').toString('base64')}`,
    });
    expect(await KubeConnection.fromOptions({ server: 'https://h', username: 'admin' }).authorization()).toEqual({
      Authorization: `Basic ${Buffer.from('admin:').toString('base64')}`,
    });
    expect(await KubeConnection.fromOptions({ server: 'https://h' }).authorization()).toEqual({});
  });

  it('prefers an inline token over a token file', async () => {
    const tokenFile = await put('token', 'from-file');
    expect(await KubeConnection.fromOptions({ server: 'https://h', token: 'inline', tokenFile }).authorization()).toEqual({ Authorization: 'Bearer inline' });
  });

  it('reads a token file trimmed, and fails clearly on an empty one', async () => {
    const tokenFile = await put('token', '  from-file\n');
    expect(await KubeConnection.fromOptions({ server: 'https://h', tokenFile }).authorization()).toEqual({ Authorization: 'Bearer from-file' });
    const empty = await put('empty', '\n');
    await expect(KubeConnection.fromOptions({ server: 'https://h', tokenFile: empty, source: 'src' }).authorization()).rejects.toThrow(
      `src: token file ${empty} is empty`,
    );
  });

  it('picks up a rotated token file after credentialsRejected(), or after a minute, but not before', async () => {
    const tokenFile = await put('token', 'first');
    const c = KubeConnection.fromOptions({ server: 'https://h', tokenFile });
    const t0 = Date.now();
    const now = jest.spyOn(Date, 'now').mockReturnValue(t0);
    expect(await c.authorization()).toEqual({ Authorization: 'Bearer first' });

    await writeFile(tokenFile, 'second');
    now.mockReturnValue(t0 + 59_000);
    expect(await c.authorization()).toEqual({ Authorization: 'Bearer first' });

    c.credentialsRejected();
    expect(await c.authorization()).toEqual({ Authorization: 'Bearer second' });

    // Cached again from that read (at t0 + 59 s): the TTL counts from the last read.
    await writeFile(tokenFile, 'third');
    now.mockReturnValue(t0 + 59_000 + 60_000);
    expect(await c.authorization()).toEqual({ Authorization: 'Bearer second' });
    now.mockReturnValue(t0 + 59_000 + 60_001);
    expect(await c.authorization()).toEqual({ Authorization: 'Bearer third' });
  });
});

describe('KubeConnection.withCredentials', () => {
  it('keeps server, TLS trust and namespace, and replaces every credential', async () => {
    const base = KubeConnection.fromOptions({ server: 'https://api:6443', caPem: 'CA', tlsServerName: 'kubernetes', token: 'admin', namespace: 'ns', source: 'kubeconfig' });
    const tenant = base.withCredentials({ username: 'tenant', password: 'pw' });
    expect(tenant.server.href).toBe('https://api:6443/');
    expect(tenant.namespace).toBe('ns');
    expect(tenant.source).toBe('kubeconfig');
    // The admin token is not carried over (it would take precedence over basic auth).
    expect(await tenant.authorization()).toEqual({ Authorization: `Basic ${Buffer.from('tenant:pw').toString('base64')}` });
    const agent = tenant.createAgent() as HttpsAgent;
    expect(agent.options).toMatchObject({ ca: 'CA', servername: 'kubernetes', rejectUnauthorized: true });
    expect(agent.options.cert).toBeUndefined();
    agent.destroy();
  });
});

describe('KubeConnection.createAgent', () => {
  it('is a plain HTTP agent for an http server, and an HTTPS agent with the TLS material otherwise', () => {
    const plain = KubeConnection.fromOptions({ server: 'http://127.0.0.1:8080', caPem: 'CA' }).createAgent({ maxSockets: 4 });
    expect(plain).toBeInstanceOf(HttpAgent);
    expect(plain).not.toBeInstanceOf(HttpsAgent);
    expect(plain.maxSockets).toBe(4);
    plain.destroy();

    const tls = KubeConnection.fromOptions({
      server: 'https://127.0.0.1:6443',
      caPem: 'CA',
      clientCertificatePem: 'CERT',
      clientKeyPem: 'KEY',
      insecureSkipTlsVerify: true,
    }).createAgent();
    expect(tls).toBeInstanceOf(HttpsAgent);
    expect((tls as HttpsAgent).options).toMatchObject({ ca: 'CA', cert: 'CERT', key: 'KEY', rejectUnauthorized: false, keepAlive: true });
    expect((tls as HttpsAgent).options.servername).toBeUndefined();
    expect(tls.maxSockets).toBe(Infinity);
    tls.destroy();
  });
});

describe('KubeConnection.inCluster', () => {
  it('reads the ServiceAccount mount: the kubernetes Service address, CA, token file and namespace', async () => {
    const sa = await serviceAccountDir({ token: 'sa-token\n', namespace: 'agentry-system\n' });
    const c = KubeConnection.inCluster(inClusterEnv, sa);
    expect(c.server.href).toBe('https://10.96.0.1/');
    expect(c.server.port).toBe(''); // 443 is https's default
    expect(c.namespace).toBe('agentry-system');
    expect(c.source).toBe('in-cluster service account');
    expect(await c.authorization()).toEqual({ Authorization: 'Bearer sa-token' });
    const agent = c.createAgent() as HttpsAgent;
    expect(String(agent.options.ca)).toBe('IN-CLUSTER CA');
    agent.destroy();
  });

  it('brackets an IPv6 service host', async () => {
    const sa = await serviceAccountDir({ token: 't' });
    const c = KubeConnection.inCluster({ KUBERNETES_SERVICE_HOST: 'fd00:10:96::1', KUBERNETES_SERVICE_PORT: '6443' }, sa);
    expect(c.server.href).toBe('https://[fd00:10:96::1]:6443/');
    expect(c.server.hostname).toBe('[fd00:10:96::1]');
  });

  it('has no namespace without a namespace file, and fails outside a cluster', async () => {
    const sa = await serviceAccountDir({ token: 't' });
    expect(KubeConnection.inCluster(inClusterEnv, sa).namespace).toBeUndefined();
    expect(() => KubeConnection.inCluster({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }, sa)).toThrow(
      'not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set',
    );
  });
});

describe('KubeConnection.fromDefault', () => {
  it('uses an explicit kubeconfig over $KUBECONFIG, the in-cluster account and ~/.kube/config', async () => {
    const explicit = await kubeconfigAt('explicit/config', 'https://explicit.example', { contexts: { other: 'https://explicit-other.example' } });
    const listed = await kubeconfigAt('listed/config', 'https://listed.example');
    await kubeconfigAt('home/.kube/config', 'https://home.example');
    const sa = await serviceAccountDir({ token: 't' });
    const env = { ...inClusterEnv, KUBECONFIG: listed };
    expect(KubeConnection.fromDefault({ kubeconfig: explicit, env, home: join(dir, 'home'), serviceAccountDir: sa }).server.host).toBe('explicit.example');
    expect(KubeConnection.fromDefault({ kubeconfig: explicit, context: 'other', env, home: join(dir, 'home'), serviceAccountDir: sa }).server.host).toBe(
      'explicit-other.example',
    );
  });

  it('uses $KUBECONFIG (a merged, colon-separated list; missing entries skipped) over in-cluster and home', async () => {
    const first = await kubeconfigAt('one/config', 'https://one.example');
    const second = await kubeconfigAt('two/config', 'https://two.example', { contexts: { 'only-in-two': 'https://two-b.example' } });
    await kubeconfigAt('home/.kube/config', 'https://home.example');
    const sa = await serviceAccountDir({ token: 't' });
    const env = { ...inClusterEnv, KUBECONFIG: `${join(dir, 'missing')}:${first}::${second}` };
    const c = KubeConnection.fromDefault({ env, home: join(dir, 'home'), serviceAccountDir: sa });
    expect(c.server.host).toBe('one.example'); // "main" is defined by both; the first file wins
    expect(c.source).toBe(`${first}:${second} (context main)`);
    expect(KubeConnection.fromDefault({ env, context: 'only-in-two', home: join(dir, 'home'), serviceAccountDir: sa }).server.host).toBe('two-b.example');
  });

  it('uses the in-cluster account over ~/.kube/config', async () => {
    await kubeconfigAt('home/.kube/config', 'https://home.example');
    const sa = await serviceAccountDir({ token: 't', namespace: 'pod-ns' });
    const c = KubeConnection.fromDefault({ env: inClusterEnv, home: join(dir, 'home'), serviceAccountDir: sa });
    expect(c.source).toBe('in-cluster service account');
    expect(c.server.host).toBe('10.96.0.1');
    expect(c.namespace).toBe('pod-ns');
  });

  it('falls back to ~/.kube/config when not in a cluster, or in a pod with no token mounted (as client-go does)', async () => {
    await kubeconfigAt('home/.kube/config', 'https://home.example', { contexts: { second: 'https://home-second.example' } });
    const home = join(dir, 'home');
    expect(KubeConnection.fromDefault({ env: {}, home }).server.host).toBe('home.example');
    expect(KubeConnection.fromDefault({ env: { KUBECONFIG: '' }, home, context: 'second' }).server.host).toBe('home-second.example');
    // automountServiceAccountToken: false — the Service variables are set, the token is not there.
    const sa = await serviceAccountDir();
    expect(KubeConnection.fromDefault({ env: inClusterEnv, home, serviceAccountDir: sa }).server.host).toBe('home.example');
  });

  it('says where it looked when there is nothing to use', async () => {
    expect(() => KubeConnection.fromDefault({ env: {}, home: join(dir, 'empty-home'), serviceAccountDir: join(dir, 'no-sa') })).toThrow(
      'no cluster to talk to: pass --kubeconfig, set KUBECONFIG, run in a pod, or create ~/.kube/config',
    );
    // $KUBECONFIG set but naming nothing that exists: an error, not a silent fall-through to home.
    await kubeconfigAt('home/.kube/config', 'https://home.example');
    expect(() => KubeConnection.fromDefault({ env: { KUBECONFIG: join(dir, 'nope') }, home: join(dir, 'home') })).toThrow(
      `no kubeconfig file found at ${join(dir, 'nope')}`,
    );
    // An explicit kubeconfig that does not exist is an error too.
    expect(() => KubeConnection.fromDefault({ kubeconfig: join(dir, 'absent'), env: {}, home: join(dir, 'home') })).toThrow('no kubeconfig file found');
  });
});
