// The test A2A server against @a2a-js/sdk's own clients (1.0 from its card, 0.3 JSON-RPC), over http
// and https with a test CA, and each way its card endpoint can be told to misbehave.
import https from 'node:https';

import { afterEach, describe, expect, it } from '@jest/globals';
import { ClientFactory } from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';

import { userText } from '../../harness/a2a-wire.js';
import { startTestA2AServer, type TestA2AServer } from '../../harness/test-a2a-server.js';
import { LOOPBACK_NAMES, testCasOfSuite } from '../../harness/test-tls.js';

const CARD = '.well-known/agent-card.json';

function sendParams(text: string) {
  return { tenant: '', message: userText(text), configuration: undefined, metadata: undefined };
}

function replyText(result: Awaited<ReturnType<LegacyJsonRpcTransport['sendMessage']>>): string {
  if (!('messageId' in result)) throw new Error(`expected a message, got ${JSON.stringify(result)}`);
  return result.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
}

/** GET over https trusting only `ca`; resolves with the status and body, rejects on a TLS failure. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('test A2A server', () => {
  const servers: TestA2AServer[] = [];
  const start = async (...args: Parameters<typeof startTestA2AServer>) => {
    const server = await startTestA2AServer(...args);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('answers A2A 1.0 through the SDK client made from its card, and 0.3 JSON-RPC', async () => {
    const server = await start({ name: 'weather' });
    const client = await new ClientFactory().createFromUrl(server.url);
    expect(replyText(await client.sendMessage(sendParams('hello')))).toBe('remote weather: hello');
    expect(server.cardRequests()).toBe(1);

    const legacy = new LegacyJsonRpcTransport({ endpoint: server.url });
    expect(replyText(await legacy.sendMessage(sendParams('old client')))).toBe('remote weather: old client');
    expect(server.messages()).toEqual(['hello', 'old client']);
  });

  it('uses the reply given, and records the headers of card and message requests', async () => {
    const server = await start({ reply: (text) => text.toUpperCase() });
    await fetch(new URL(CARD, server.url), { headers: { Authorization: 'Bearer card-token' } });
    const client = await new ClientFactory().createFromUrl(server.url);
    expect(replyText(await client.sendMessage(sendParams('shout')))).toBe('SHOUT');
    expect(server.cardRequestHeaders()[0]?.authorization).toBe('Bearer card-token');
    expect(server.messageRequestHeaders()).toHaveLength(1);
  });

  it('binds to the host asked for, such as a loopback ClusterIP', async () => {
    const server = await start({ host: '127.96.0.12' });
    expect(server.url).toBe(`http://127.96.0.12:${server.port}/`);
    const res = await fetch(new URL(CARD, server.url));
    expect(res.status).toBe(200);
    const card = (await res.json()) as { supportedInterfaces: Array<{ url: string }> };
    expect(card.supportedInterfaces[0]?.url).toBe(server.url);
  });

  it('serves the card under any endpoint path, and the card set', async () => {
    const server = await start();
    server.setCard({ name: 'swapped', protocolVersion: '0.3', url: server.url });
    const res = await fetch(new URL(`a2a/v1/${CARD}`, server.url));
    expect(await res.json()).toEqual({ name: 'swapped', protocolVersion: '0.3', url: server.url });
  });

  it('misbehaves as set: status, redirect, invalid JSON, oversize, delay; setMode({}) restores', async () => {
    const server = await start();
    const cardUrl = new URL(CARD, server.url);

    server.setMode({ status: 503 });
    expect((await fetch(cardUrl)).status).toBe(503);

    server.setMode({ redirectTo: 'https://elsewhere.example/' });
    const redirected = await fetch(cardUrl, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('https://elsewhere.example/');

    server.setMode({ invalidJson: true });
    await expect((await fetch(cardUrl)).json()).rejects.toThrow();

    server.setMode({ oversizeBytes: 100_000 });
    const big = await fetch(cardUrl);
    expect(Number(big.headers.get('content-length'))).toBeGreaterThanOrEqual(100_000);
    expect((await big.arrayBuffer()).byteLength).toBe(Number(big.headers.get('content-length')));

    // A delay long enough never to end within the test: the client gives up, and the server notices.
    server.setMode({ delayMs: 600_000 });
    await expect(fetch(cardUrl, { signal: AbortSignal.timeout(200) })).rejects.toThrow();

    server.setMode({});
    expect((await fetch(cardUrl)).status).toBe(200);
    expect(server.cardRequests()).toBe(6);
  });

  describe('over https', () => {
    const cas = testCasOfSuite();

    it('serves with a certificate of the test CA, trusted with that CA only', async () => {
      const server = await start({ tls: await cas.trusted.issue(LOOPBACK_NAMES) });
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const ok = await httpsGet(new URL(CARD, server.url).href, cas.trusted.caPem);
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body)).toMatchObject({ name: 'test-remote' });
      await expect(httpsGet(new URL(CARD, server.url).href, cas.other.caPem)).rejects.toThrow(/self[- ]signed|unable to verify|issuer/i);
    });
  });
});
