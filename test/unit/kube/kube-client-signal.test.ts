// Every KubeClient call ends with the signal of the work it is made for: its own signal, or the
// ambient one a reconcile runs under (request-signal.ts), against a server that never answers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../../src/kube/kube-client.js';
import { KubeConnection } from '../../../src/kube/kube-connection.js';
import { withRequestSignal } from '../../../src/kube/request-signal.js';

let server: Server;
let client: KubeClient;
const received: IncomingMessage[] = [];
let onRequest: () => void = () => undefined;

beforeAll(async () => {
  // Takes every request and never answers (a hung API server, or a partition).
  server = createServer((req) => {
    received.push(req);
    onRequest();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new KubeClient(KubeConnection.fromOptions({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});

afterAll(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const arrived = () => new Promise<void>((resolve) => (onRequest = resolve));
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } };

describe('KubeClient and abort signals', () => {
  it('aborts a request with the ambient signal of the work it is made for', async () => {
    const abort = new AbortController();
    const reached = arrived();
    const applying = withRequestSignal(abort.signal, () => client.apply(configMap, { fieldManager: 'test' }));
    await reached;
    abort.abort();
    await expect(applying).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('aborts a request with its own signal, for each kind of call', async () => {
    const calls: ((signal: AbortSignal) => Promise<unknown>)[] = [
      (signal) => client.get('v1', 'ConfigMap', 'ns', 'c', { signal }),
      (signal) => client.list('v1', 'ConfigMap', 'ns', undefined, { signal }),
      (signal) => client.create(configMap, { signal }),
      (signal) => client.patch(configMap, { data: {} }, 'merge', { signal }),
      (signal) => client.delete(configMap, { signal }),
    ];
    for (const call of calls) {
      const abort = new AbortController();
      const reached = arrived();
      const pending = call(abort.signal);
      await reached;
      abort.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    }
  });

  it('sends nothing when the work was aborted before the call', async () => {
    const before = received.length;
    const abort = new AbortController();
    abort.abort();
    await expect(withRequestSignal(abort.signal, () => client.get('v1', 'ConfigMap', 'ns', 'c'))).rejects.toMatchObject({ name: 'AbortError' });
    expect(received.length).toBe(before);
  });
});
