import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeLeaseClient } from '../../../src/controller/kube-lease-client.js';
import { LeaseConflictError } from '../../../src/controller/lease-client.js';
import { KubeClient } from '../../../src/kube/kube-client.js';
import { KubeConnection } from '../../../src/kube/kube-connection.js';

type Handler = (method: string, path: string, body: unknown, res: http.ServerResponse) => void;

let server: http.Server;
let baseUrl = '';
let handler: Handler = (_m, _p, _b, res) => res.writeHead(404).end();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      handler(req.method ?? '', req.url ?? '', text ? (JSON.parse(text) as unknown) : undefined, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(): KubeLeaseClient {
  return new KubeLeaseClient(new KubeClient(KubeConnection.fromOptions({ server: baseUrl, token: 't' })));
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/ns/leases/leader';

describe('KubeLeaseClient', () => {
  it('reads MicroTime strings as epoch milliseconds', async () => {
    handler = (_m, _p, _b, res) =>
      json(res, 200, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'leader', namespace: 'ns', resourceVersion: '77' },
        spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, renewTime: '2025-01-02T03:04:05.678901Z', leaseTransitions: 2 },
      });
    const lease = await client().get('ns', 'leader');
    expect(lease).toEqual({
      resourceVersion: '77',
      spec: {
        holderIdentity: 'pod-a',
        leaseDurationSeconds: 15,
        renewTimeMs: Date.parse('2025-01-02T03:04:05.678Z'),
        acquireTimeMs: undefined,
        leaseTransitions: 2,
      },
    });
  });

  it('returns undefined for a missing lease', async () => {
    handler = (_m, _p, _b, res) => json(res, 404, { kind: 'Status', code: 404, reason: 'NotFound' });
    expect(await client().get('ns', 'leader')).toBeUndefined();
  });

  it('replaces with the read resourceVersion and microsecond timestamps; 409 becomes LeaseConflictError', async () => {
    const seen: { method: string; path: string; body: unknown }[] = [];
    handler = (method, path, body, res) => {
      seen.push({ method, path, body });
      json(res, 409, { kind: 'Status', code: 409, reason: 'Conflict' });
    };
    const update = client().update('ns', 'leader', '77', {
      holderIdentity: 'pod-b',
      leaseDurationSeconds: 15,
      renewTimeMs: Date.parse('2025-01-02T03:04:05.678Z'),
      leaseTransitions: 3,
    });
    await expect(update).rejects.toBeInstanceOf(LeaseConflictError);
    expect(seen[0]?.method).toBe('PUT');
    expect(seen[0]?.path).toBe(LEASE_PATH);
    expect(seen[0]?.body).toMatchObject({
      metadata: { name: 'leader', namespace: 'ns', resourceVersion: '77' },
      spec: { holderIdentity: 'pod-b', renewTime: '2025-01-02T03:04:05.678000Z', leaseTransitions: 3 },
    });
  });

  it('create maps AlreadyExists to LeaseConflictError and passes other failures through', async () => {
    handler = (_m, _p, _b, res) => json(res, 409, { kind: 'Status', code: 409, reason: 'AlreadyExists' });
    await expect(client().create('ns', 'leader', { holderIdentity: 'a' })).rejects.toBeInstanceOf(LeaseConflictError);
    handler = (_m, _p, _b, res) => json(res, 403, { kind: 'Status', code: 403, reason: 'Forbidden' });
    const forbidden = client().create('ns', 'leader', { holderIdentity: 'a' });
    await expect(forbidden).rejects.not.toBeInstanceOf(LeaseConflictError);
    await expect(forbidden).rejects.toMatchObject({ statusCode: 403 });
  });

  it('gives up on a request the server never answers, so a renewal can fail before its deadline', async () => {
    handler = () => undefined; // never responds
    const started = Date.now();
    const slow = new KubeLeaseClient(new KubeClient(KubeConnection.fromOptions({ server: baseUrl })), { requestTimeoutMs: 200 });
    await expect(slow.get('ns', 'leader')).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rejects a reply that is not a Lease', async () => {
    handler = (_m, _p, _b, res) => json(res, 200, { metadata: { resourceVersion: 7 }, spec: { leaseDurationSeconds: 'soon' } });
    await expect(client().get('ns', 'leader')).rejects.toThrow();
  });
});
