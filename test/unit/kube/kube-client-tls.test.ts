// KubeClient over real TLS: a node HTTPS server that demands a client certificate from the test
// control plane's CA (hack/control-plane/pki.ts), so the agent KubeConnection builds must carry the
// CA, the client certificate and key, the TLS server name — or skip verification when told to.
// Also: what goes out in the Authorization and Impersonate-* headers, and a 401 that makes the
// connection re-read its rotated token file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import YAML from 'yaml';
import { generatePki, type Pki } from '../../../hack/control-plane/pki.js';
import { KubeApiError } from '../../../src/kube/kube-api-error.js';
import { KubeClient, type KubeClientOptions } from '../../../src/kube/kube-client.js';
import { KubeConnection, type KubeConnectionOptions } from '../../../src/kube/kube-connection.js';

interface Seen {
  clientCommonName?: string;
  servername?: string | false;
  authorization?: string;
  impersonateUser?: string[];
  impersonateGroup?: string[];
}

let dir = '';
let pki: Pki;
let otherCaPem: Buffer;
let caPem: Buffer;
let clientCertPem: Buffer;
let clientKeyPem: Buffer;
let server: Server;
let url = '';
/** When set, requests whose Authorization is not `Bearer <acceptedToken>` get a 401. */
let acceptedToken: string | undefined;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket as TLSSocket;
  const seen: Seen = {
    clientCommonName: (socket.getPeerCertificate().subject as { CN?: string } | undefined)?.CN,
    servername: (socket as TLSSocket & { servername?: string | false }).servername,
    authorization: req.headers.authorization,
    impersonateUser: req.headersDistinct['impersonate-user'],
    impersonateGroup: req.headersDistinct['impersonate-group'],
  };
  if (acceptedToken !== undefined && req.headers.authorization !== `Bearer ${acceptedToken}`) {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', message: 'Unauthorized', code: 401 }));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ gitVersion: 'v1.test', seen }));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentry-kube-tls-'));
  // Two independent PKIs: the server's, and another whose CA the server's certificate does not chain to.
  const otherDir = await mkdtemp(join(dir, 'other-'));
  [pki] = await Promise.all([generatePki(dir, '10.96.0.1'), generatePki(otherDir, '10.96.0.1')]);
  otherCaPem = await readFile(join(otherDir, 'ca.crt'));
  [caPem, clientCertPem, clientKeyPem] = await Promise.all([readFile(pki.caCert), readFile(pki.adminCert), readFile(pki.adminKey)]);
  server = createServer(
    { key: await readFile(pki.servingKey), cert: await readFile(pki.servingCert), ca: caPem, requestCert: true, rejectUnauthorized: true },
    handle,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** GET /version through a fresh KubeClient (its own agent), closed afterwards. */
async function version(options: Omit<KubeConnectionOptions, 'server'>, clientOptions: KubeClientOptions = {}): Promise<{ gitVersion: string; seen: Seen }> {
  return versionVia(KubeConnection.fromOptions({ server: url, ...options }), clientOptions);
}

async function versionVia(connection: KubeConnection, clientOptions: KubeClientOptions = {}): Promise<{ gitVersion: string; seen: Seen }> {
  const client = new KubeClient(connection, clientOptions);
  try {
    return (await client.request('GET', '/version')) as { gitVersion: string; seen: Seen };
  } finally {
    client.close();
  }
}

const mtls = () => ({ caPem, clientCertificatePem: clientCertPem, clientKeyPem });

describe('KubeClient over TLS', () => {
  it('connects with the right CA and a client certificate', async () => {
    const body = await version({ ...mtls(), token: 'tok' });
    expect(body.gitVersion).toBe('v1.test');
    expect(body.seen.clientCommonName).toBe('agentry-admin');
    expect(body.seen.authorization).toBe('Bearer tok');
  });

  it('is refused without a client certificate', async () => {
    await expect(version({ caPem })).rejects.toThrow();
  });

  it('rejects a server certificate that does not chain to the configured CA, or to the system roots', async () => {
    // Which of the two codes depends on whether the server sends its CA along with its certificate.
    const untrusted = { code: expect.stringMatching(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/) };
    await expect(version({ ...mtls(), caPem: otherCaPem })).rejects.toMatchObject(untrusted);
    const { caPem: _ca, ...noCa } = mtls();
    await expect(version(noCa)).rejects.toMatchObject(untrusted);
  });

  it('skips server verification with insecureSkipTlsVerify, still presenting the client certificate', async () => {
    const body = await version({ ...mtls(), caPem: otherCaPem, insecureSkipTlsVerify: true });
    expect(body.seen.clientCommonName).toBe('agentry-admin');
  });

  it('sends tlsServerName as SNI and checks the certificate against it rather than the URL host', async () => {
    // The serving certificate names 127.0.0.1 and kubernetes.default.svc, not api.example.
    const body = await version({ ...mtls(), tlsServerName: 'kubernetes.default.svc' });
    expect(body.seen.servername).toBe('kubernetes.default.svc');
    await expect(version({ ...mtls(), tlsServerName: 'api.example' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('takes CA (relative path) and client certificate (inline data) from a kubeconfig', async () => {
    await writeFile(join(dir, 'ca-copy.crt'), caPem);
    const path = join(dir, 'kubeconfig');
    await writeFile(
      path,
      YAML.stringify({
        clusters: [{ name: 'local', cluster: { server: url, 'certificate-authority': 'ca-copy.crt', 'tls-server-name': 'kubernetes' } }],
        users: [{ name: 'admin', user: { 'client-certificate-data': clientCertPem.toString('base64'), 'client-key': pki.adminKey } }],
        contexts: [{ name: 'local', context: { cluster: 'local', user: 'admin' } }],
        'current-context': 'local',
      }),
    );
    const body = await versionVia(KubeConnection.fromKubeconfigFile(path));
    expect(body.seen).toMatchObject({ clientCommonName: 'agentry-admin', servername: 'kubernetes' });
    expect(body.seen.authorization).toBeUndefined();
  });

  it('sends Impersonate-User and one Impersonate-Group line per group alongside (not instead of) Authorization', async () => {
    const body = await version({ ...mtls(), token: 'admin-token' }, { impersonate: { user: 'system:serviceaccount:ns:sa', groups: ['system:serviceaccounts', 'tenants'] } });
    expect(body.seen).toMatchObject({
      authorization: 'Bearer admin-token',
      impersonateUser: ['system:serviceaccount:ns:sa'],
      impersonateGroup: ['system:serviceaccounts', 'tenants'],
    });
    const withoutGroups = await version({ ...mtls(), username: 'u', password: 'p' }, { impersonate: { user: 'jane' } });
    expect(withoutGroups.seen).toMatchObject({ authorization: `Basic ${Buffer.from('u:p').toString('base64')}`, impersonateUser: ['jane'] });
    expect(withoutGroups.seen.impersonateGroup).toBeUndefined();
  });

  it('re-reads a rotated token file after a 401, not before', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'old-token\n');
    const client = new KubeClient(KubeConnection.fromOptions({ server: url, ...mtls(), tokenFile }));
    try {
      acceptedToken = 'old-token';
      await expect(client.request('GET', '/version')).resolves.toMatchObject({ seen: { authorization: 'Bearer old-token' } });

      // Rotated on disk and at the server: the cached token goes out once more and is refused...
      await writeFile(tokenFile, 'new-token\n');
      acceptedToken = 'new-token';
      const refused = await client.request('GET', '/version').catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(KubeApiError);
      expect(refused).toMatchObject({ statusCode: 401, reason: 'Unauthorized' });

      // ...and the 401 made the connection drop it: the next request reads the file again.
      await expect(client.request('GET', '/version')).resolves.toMatchObject({ seen: { authorization: 'Bearer new-token' } });
    } finally {
      acceptedToken = undefined;
      client.close();
    }
  });
});
