// The card fetcher against real servers on 127.0.0.1, over http and https (a test CA): every
// reason a fetch fails for, redirects, limits enforced while the body streams, DNS answers that
// rebind to internal addresses (a lookup override), the Service form's connectTo, timeouts and
// aborts. Every fetch carries a secret header, and no message may contain its value.
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

import { afterEach, describe, expect, it } from '@jest/globals';

import { cardUrlOf, fetchAgentCard, type CardFetchOptions, type CardFetchResult } from '../../../../src/operator/remote-agent/card-fetcher.js';
import { parseHostPolicy } from '../../../../src/operator/remote-agent/host-policy.js';
import { defaultCard, startTestA2AServer, type TestA2AServer } from '../../../harness/test-a2a-server.js';
import { LOOPBACK_NAMES, testCasOfSuite } from '../../../harness/test-tls.js';

const SECRET = 'Bearer s3cret-value-never-shown';
const CARD_PATH = '/.well-known/agent-card.json';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface RawServer {
  readonly url: string;
  readonly port: number;
  readonly requests: http.IncomingMessage[];
  /** Resolves with the next request to arrive. */
  nextRequest(): Promise<http.IncomingMessage>;
  close(): Promise<void>;
}

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** A server whose every request `handler` answers (or leaves hanging). */
async function serve(handler: Handler, tls?: { cert: string; key: string }): Promise<RawServer> {
  const server = tls ? https.createServer(tls) : http.createServer();
  const requests: http.IncomingMessage[] = [];
  const waiting: Array<(req: http.IncomingMessage) => void> = [];
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests.push(req);
    for (const wake of waiting.splice(0)) wake(req);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const raw: RawServer = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}/`,
    port: address.port,
    requests,
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  opened.push(raw);
  return raw;
}

async function a2aServer(...args: Parameters<typeof startTestA2AServer>): Promise<TestA2AServer> {
  const server = await startTestA2AServer(...args);
  opened.push(server);
  return server;
}

function json(res: http.ServerResponse, value: unknown, status = 200): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const cardAt = (base: string) => new URL(CARD_PATH.slice(1), base);

/** fetchAgentCard with test defaults and the secret header; checks the secret stays out of the message. */
async function fetchCard(options: Partial<CardFetchOptions> & { url: URL }): Promise<CardFetchResult> {
  const result = await fetchAgentCard({ timeoutMs: 10_000, maxBytes: 64 * 1024, allowHttp: true, headers: { Authorization: SECRET }, ...options });
  if (!result.ok) expect(result.message).not.toContain('s3cret');
  return result;
}

function failure(result: CardFetchResult): { condition: string; reason: string; message: string } {
  if (result.ok) throw new Error(`expected a failure, got the card ${JSON.stringify(result.card)}`);
  return { condition: result.condition, reason: result.reason, message: result.message };
}

/** A resolver that answers every name with these addresses, as a rebinding DNS server would. */
function resolvingTo(...addresses: string[]): LookupFunction {
  return (_name, options, callback) => {
    const all = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all === true) callback(null, all);
    else callback(null, all[0]?.address ?? '', all[0]?.family ?? 4);
  };
}

describe('cardUrlOf', () => {
  it.each([
    ['http://a.team.svc:8080', 'http://a.team.svc:8080/.well-known/agent-card.json'],
    ['http://a.team.svc:8080/', 'http://a.team.svc:8080/.well-known/agent-card.json'],
    ['https://agents.example.com/a2a', 'https://agents.example.com/a2a/.well-known/agent-card.json'],
    ['https://agents.example.com/a2a/', 'https://agents.example.com/a2a/.well-known/agent-card.json'],
    ['https://agents.example.com/a2a?x=1#f', 'https://agents.example.com/a2a/.well-known/agent-card.json'],
  ])('%s → %s', (endpoint, card) => {
    expect(cardUrlOf(new URL(endpoint)).href).toBe(card);
  });
});

describe('fetchAgentCard', () => {
  it('reads the card of an A2A server, with the headers it should send and no others', async () => {
    const server = await a2aServer({ name: 'weather' });
    const result = await fetchCard({ url: cardAt(server.url) });
    if (!result.ok) throw new Error(result.message);
    expect(result.card.name).toBe('weather');
    expect(result.raw).toEqual(defaultCard('weather', server.url));
    expect(result.digest).toMatch(/^[0-9a-f]{64}$/);
    const headers = server.cardRequestHeaders()[0] ?? {};
    expect(headers).toMatchObject({ accept: 'application/json', authorization: SECRET, 'a2a-version': '1.0', host: `127.0.0.1:${server.port}` });
    expect(headers['user-agent']).toMatch(/agentry/);
    expect(headers).not.toHaveProperty('cookie');
  });

  it('digests the card, not its bytes: the same card in another key order has the same digest', async () => {
    const server = await a2aServer();
    const card = defaultCard('ordered', server.url);
    server.setCard(card);
    const first = await fetchCard({ url: cardAt(server.url) });
    server.setCard(Object.fromEntries(Object.entries(card).reverse()));
    const reordered = await fetchCard({ url: cardAt(server.url) });
    server.setCard({ ...card, version: '2.0.0' });
    const changed = await fetchCard({ url: cardAt(server.url) });
    expect(first.ok && reordered.ok && changed.ok).toBe(true);
    if (!first.ok || !reordered.ok || !changed.ok) return;
    expect(reordered.digest).toBe(first.digest);
    expect(changed.digest).not.toBe(first.digest);
  });

  it('reads a 0.3 card as 1.0', async () => {
    const server = await a2aServer();
    server.setCard({ name: 'old', description: 'a 0.3 server', url: server.url, version: '1', protocolVersion: '0.3.0', capabilities: {}, defaultInputModes: [], defaultOutputModes: [], skills: [] });
    const result = await fetchCard({ url: cardAt(server.url) });
    expect(result.ok && result.card.supportedInterfaces).toEqual([{ url: server.url, protocolBinding: 'JSONRPC', protocolVersion: '0.3.0' }]);
  });

  it('connects to connectTo while the request names the URL host (the Service form)', async () => {
    const server = await a2aServer();
    const result = await fetchCard({ url: new URL('http://weather.team.svc:8080/.well-known/agent-card.json'), connectTo: { host: '127.0.0.1', port: server.port } });
    expect(result.ok).toBe(true);
    expect(server.cardRequestHeaders()[0]?.host).toBe('weather.team.svc:8080');
  });

  describe('scheme and host', () => {
    it('refuses http unless allowed', async () => {
      const server = await a2aServer();
      expect(failure(await fetchCard({ url: cardAt(server.url), allowHttp: false }))).toEqual({
        condition: 'Reachable',
        reason: 'InsecureScheme',
        message: `GET ${cardAt(server.url).href}: http is not allowed (remoteAgents.allowHttp is false): use https`,
      });
      expect(server.cardRequests()).toBe(0);
    });

    it('refuses a scheme that is not http(s), and credentials in the URL', async () => {
      expect(failure(await fetchCard({ url: new URL('ftp://agents.example.com/x') }))).toMatchObject({ reason: 'InsecureScheme', message: expect.stringContaining('the scheme ftp is not http or https') });
      expect(failure(await fetchCard({ url: new URL('https://user:pw@agents.example.com/x') }))).toMatchObject({ reason: 'HostNotAllowed', message: expect.stringContaining('credentials') });
    });

    it('refuses a host the policy does not name, before any request', async () => {
      const server = await a2aServer();
      const result = await fetchCard({ url: cardAt(server.url), hostPolicy: parseHostPolicy(['agents.example.com']) });
      expect(failure(result)).toMatchObject({ reason: 'HostNotAllowed', message: `GET ${cardAt(server.url).href}: 127.0.0.1 is not in remoteAgents.allowedHosts` });
      expect(server.cardRequests()).toBe(0);
    });

    it('refuses a name the policy allows when it resolves to loopback (DNS rebinding), and never connects', async () => {
      const server = await a2aServer();
      const url = new URL(`http://agents.example.test:${server.port}${CARD_PATH}`);
      const policy = parseHostPolicy(['agents.example.test']);
      const refused = failure(await fetchCard({ url, hostPolicy: policy, lookup: resolvingTo('127.0.0.1') }));
      expect(refused).toMatchObject({ reason: 'HostNotAllowed', message: expect.stringContaining('agents.example.test resolves to 127.0.0.1, which is a loopback address') });
      // One ordinary answer and one internal: refused all the same.
      expect(failure(await fetchCard({ url, hostPolicy: policy, lookup: resolvingTo('93.184.216.34', '::1') })).reason).toBe('HostNotAllowed');
      expect(server.cardRequests()).toBe(0);
      // A CIDR admits it, and then the connection goes where DNS said.
      const admitted = await fetchCard({ url, hostPolicy: parseHostPolicy(['agents.example.test', '127.0.0.0/8']), lookup: resolvingTo('127.0.0.1') });
      expect(admitted.ok).toBe(true);
      expect(server.cardRequestHeaders()[0]?.host).toBe(`agents.example.test:${server.port}`);
    });

    it('checks an IP literal and a connectTo address against the policy too', async () => {
      const server = await a2aServer();
      expect(failure(await fetchCard({ url: cardAt(server.url), hostPolicy: parseHostPolicy(['127.0.0.1']) })).message).toContain('127.0.0.1 is a loopback address');
      const viaConnectTo = await fetchCard({ url: new URL('http://agents.example.test/x'), hostPolicy: parseHostPolicy(['agents.example.test']), connectTo: { host: '127.0.0.1', port: server.port } });
      expect(failure(viaConnectTo).message).toContain('agents.example.test resolves to 127.0.0.1');
      expect(server.cardRequests()).toBe(0);
    });

    it('fails on a name that does not resolve', async () => {
      const notFound: LookupFunction = (name, _options, callback) => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }), '');
      const result = await fetchCard({ url: new URL('http://nowhere.example.test/x'), lookup: notFound });
      expect(failure(result)).toEqual({ condition: 'Reachable', reason: 'ConnectionFailed', message: 'GET http://nowhere.example.test/x: no such host: nowhere.example.test' });
    });
  });

  describe('answers that are not a card', () => {
    it('names the status of an error answer', async () => {
      const server = await a2aServer();
      server.setMode({ status: 503 });
      expect(failure(await fetchCard({ url: cardAt(server.url) }))).toEqual({ condition: 'Reachable', reason: 'HttpError', message: `GET ${cardAt(server.url).href}: HTTP 503 Service Unavailable` });
      server.setMode({ status: 404 });
      expect(failure(await fetchCard({ url: cardAt(server.url) })).message).toContain('HTTP 404 Not Found');
    });

    it('refuses bodies that are not JSON, empty, or not a card', async () => {
      const server = await a2aServer();
      server.setMode({ invalidJson: true });
      expect(failure(await fetchCard({ url: cardAt(server.url) }))).toMatchObject({ condition: 'CardValid', reason: 'InvalidJson', message: expect.stringContaining('the body is not JSON') });
      server.setMode({});
      server.setCard({ name: 'half', version: '1' });
      expect(failure(await fetchCard({ url: cardAt(server.url) }))).toMatchObject({
        condition: 'CardValid',
        reason: 'InvalidCard',
        message: expect.stringMatching(/: not a valid A2A agent card: supportedInterfaces: /),
      });
      const empty = await serve((_req, res) => res.writeHead(200, { 'Content-Length': 0 }).end());
      expect(failure(await fetchCard({ url: cardAt(empty.url) }))).toMatchObject({ reason: 'InvalidJson', message: expect.stringContaining('the body is empty') });
    });

    it('reads a card with a byte order mark', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`\uFEFF${JSON.stringify(defaultCard('bom', 'http://x/'))}`);
      });
      expect((await fetchCard({ url: cardAt(server.url) })).ok).toBe(true);
    });
  });

  describe('redirects', () => {
    it('follows same-origin redirects, re-checked against the policy', async () => {
      const server = await serve((req, res) => {
        if (req.url === CARD_PATH) return res.writeHead(302, { Location: '/moved', 'Set-Cookie': 'session=kept-by-browsers' }).end();
        if (req.url === '/moved') return res.writeHead(308, { Location: `http://127.0.0.1:${(req.socket.localPort ?? 0).toString()}/card` }).end();
        json(res, defaultCard('moved', 'http://x/'));
      });
      const result = await fetchCard({ url: cardAt(server.url), hostPolicy: parseHostPolicy(['127.0.0.0/8']) });
      expect(result.ok && result.card.name).toBe('moved');
      expect(server.requests.map((r) => r.url)).toEqual([CARD_PATH, '/moved', '/card']);
      // The secret header goes along: the origin is the same. A cookie does not: none is kept.
      expect(server.requests.map((r) => r.headers.authorization)).toEqual([SECRET, SECRET, SECRET]);
      expect(server.requests.map((r) => r.headers.cookie)).toEqual([undefined, undefined, undefined]);
    });

    it('checks the address again on each hop: a name that rebinds between redirects is refused', async () => {
      const server = await serve((req, res) => {
        if (req.url === CARD_PATH) return res.writeHead(302, { Location: '/moved' }).end();
        json(res, defaultCard('moved', 'http://x/'));
      });
      const answers = ['127.0.0.1', '127.0.0.2'];
      const rebinding: LookupFunction = (name, options, callback) => resolvingTo(answers.shift() ?? '127.0.0.3')(name, options, callback);
      const result = await fetchCard({
        url: new URL(`http://agents.example.test:${server.port}${CARD_PATH}`),
        hostPolicy: parseHostPolicy(['agents.example.test', '127.0.0.1/32']),
        lookup: rebinding,
      });
      expect(failure(result)).toMatchObject({ reason: 'HostNotAllowed', message: expect.stringContaining('agents.example.test resolves to 127.0.0.2, which is a loopback address') });
      expect(server.requests).toHaveLength(1);
    });

    it.each([
      ['http://other.example/', 'another host'],
      ['https://127.0.0.1/x', 'another scheme (https)'],
      ['http://127.0.0.1:1/x', 'another port'],
    ])('refuses a redirect to %s: %s', async (location, why) => {
      const server = await a2aServer();
      server.setMode({ redirectTo: location });
      expect(failure(await fetchCard({ url: cardAt(server.url) }))).toEqual({
        condition: 'Reachable',
        reason: 'RedirectRefused',
        message: `GET ${cardAt(server.url).href}: 302 redirect to ${new URL(location).origin}/ refused: ${why}`,
      });
      expect(server.cardRequests()).toBe(1);
    });

    it('stops after maxRedirects', async () => {
      let hops = 0;
      const server = await serve((_req, res) => {
        hops += 1;
        res.writeHead(302, { Location: `/hop-${hops}` }).end();
      });
      expect(failure(await fetchCard({ url: cardAt(server.url) }))).toMatchObject({ reason: 'TooManyRedirects', message: expect.stringContaining('more than 3 redirects') });
      expect(server.requests).toHaveLength(4);
      expect(failure(await fetchCard({ url: cardAt(server.url), maxRedirects: 0 })).reason).toBe('TooManyRedirects');
    });

    it('calls a redirect without a Location an HTTP error', async () => {
      const server = await serve((_req, res) => res.writeHead(301).end());
      expect(failure(await fetchCard({ url: cardAt(server.url) }))).toMatchObject({ reason: 'HttpError', message: expect.stringContaining('301 redirect without a Location') });
    });
  });

  describe('limits', () => {
    it('refuses a Content-Length over the limit before reading the body', async () => {
      const server = await serve((_req, res) => {
        // Announces a large body and never sends it: only the header can have refused it.
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 1_000_000 });
        res.flushHeaders();
      });
      expect(failure(await fetchCard({ url: cardAt(server.url), maxBytes: 4096 }))).toEqual({
        condition: 'Reachable',
        reason: 'TooLarge',
        message: `GET ${cardAt(server.url).href}: the card is 1000000 bytes (Content-Length), over the limit of 4096`,
      });
    });

    it('cuts a body without Content-Length off at the limit while it streams', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = 'x'.repeat(1024);
        // Endless: only the limit ends it.
        const write = () => {
          while (res.write(chunk));
          res.once('drain', write);
        };
        write();
      });
      expect(failure(await fetchCard({ url: cardAt(server.url), maxBytes: 8192 }))).toMatchObject({ reason: 'TooLarge', message: expect.stringContaining('over the limit of 8192 bytes') });
    });

    it('refuses the oversized card of an A2A server', async () => {
      const server = await a2aServer();
      server.setMode({ oversizeBytes: 100_000 });
      expect(failure(await fetchCard({ url: cardAt(server.url), maxBytes: 65_536 })).reason).toBe('TooLarge');
    });

    it('a body shorter than its Content-Length is a broken connection; a longer one is not HTTP', async () => {
      const short = await serve((req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
        res.write('{"name":');
        req.socket.end();
      });
      expect(failure(await fetchCard({ url: cardAt(short.url) }))).toMatchObject({ reason: 'ConnectionFailed', message: expect.stringContaining('closed before the whole card was sent') });
      const long = await serve((req, res) => {
        const body = JSON.stringify(defaultCard('long', 'http://x/'));
        req.socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\nConnection: close\r\n\r\n${body}`);
        req.socket.end();
        res.on('error', () => undefined);
      });
          expect(failure(await fetchCard({ url: cardAt(long.url) }))).toMatchObject({ reason: 'HttpError', message: expect.stringContaining('the answer is not valid HTTP') });
    });

    it('times out on a server that never answers, and on one that sends its body a byte at a time', async () => {
      const silent = await a2aServer();
      silent.setMode({ delayMs: 600_000 });
      expect(failure(await fetchCard({ url: cardAt(silent.url), timeoutMs: 300 }))).toEqual({
        condition: 'Reachable',
        reason: 'Timeout',
        message: `GET ${cardAt(silent.url).href}: no complete answer within 300 ms`,
      });
      const timers: NodeJS.Timeout[] = [];
      const slowLoris = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{');
        timers.push(setInterval(() => res.write(' '), 20));
      });
      try {
        expect(failure(await fetchCard({ url: cardAt(slowLoris.url), timeoutMs: 1000 })).reason).toBe('Timeout');
      } finally {
        for (const timer of timers) clearInterval(timer);
      }
    });

    it('stops when the signal aborts, and does not start when it already has', async () => {
      const server = await a2aServer();
      server.setMode({ delayMs: 600_000 });
      const controller = new AbortController();
      const raw = await serve(() => controller.abort());
      expect(failure(await fetchCard({ url: cardAt(raw.url), signal: controller.signal }))).toEqual({
        condition: 'Reachable',
        reason: 'Aborted',
        message: `GET ${cardAt(raw.url).href}: the fetch was canceled`,
      });
      expect(failure(await fetchCard({ url: cardAt(server.url), signal: AbortSignal.abort() })).reason).toBe('Aborted');
      expect(server.cardRequests()).toBe(0);
    });

    it('names a refused connection', async () => {
      const gone = await serve(() => undefined);
      await gone.close();
      expect(failure(await fetchCard({ url: cardAt(gone.url) }))).toEqual({
        condition: 'Reachable',
        reason: 'ConnectionFailed',
        message: `GET ${cardAt(gone.url).href}: connection refused by 127.0.0.1:${gone.port}`,
      });
    });
  });

  describe('headers', () => {
    it('refuses a header value with a line break, without quoting it', async () => {
      const server = await a2aServer();
      const result = await fetchAgentCard({ url: cardAt(server.url), timeoutMs: 5000, maxBytes: 65_536, allowHttp: true, headers: { 'X-Api-Key': 's3cret-with-newline\n' } });
      expect(failure(result)).toMatchObject({ condition: 'Reachable', reason: 'InvalidHeader', message: expect.stringContaining('the value of header X-Api-Key has a line break') });
      expect(failure(result).message).not.toContain('s3cret');
      expect(server.cardRequests()).toBe(0);
    });

    it('refuses a header name that is not a token', async () => {
      const result = await fetchAgentCard({ url: new URL('http://127.0.0.1:1/x'), timeoutMs: 5000, maxBytes: 1024, allowHttp: true, headers: { 'Bad Name': 'v' } });
      expect(failure(result)).toMatchObject({ reason: 'InvalidHeader', message: expect.stringContaining('"Bad Name" is not a valid HTTP header name') });
    });
  });

  describe('over https', () => {
    const cas = testCasOfSuite();

    it('trusts the CA bundle in addition to the default roots, and only what it signed', async () => {
      const server = await a2aServer({ tls: await cas.trusted.issue(LOOPBACK_NAMES) });
      expect((await fetchCard({ url: cardAt(server.url), allowHttp: false, caBundle: cas.trusted.caPem })).ok).toBe(true);
      expect(failure(await fetchCard({ url: cardAt(server.url), allowHttp: false }))).toMatchObject({
        condition: 'Reachable',
        reason: 'TLSError',
        message: expect.stringContaining('not signed by a trusted CA (spec.tls.caBundle adds one)'),
      });
      expect(failure(await fetchCard({ url: cardAt(server.url), caBundle: cas.other.caPem })).reason).toBe('TLSError');
    });

    it("refuses a certificate that is not for the URL's host", async () => {
      const server = await a2aServer({ tls: await cas.trusted.issue(['other.example']) });
      expect(failure(await fetchCard({ url: cardAt(server.url), caBundle: cas.trusted.caPem }))).toMatchObject({ reason: 'TLSError', message: expect.stringContaining("the server's certificate is not for 127.0.0.1") });
    });

    it("verifies the URL's host when connecting to connectTo", async () => {
      const server = await a2aServer({ tls: await cas.trusted.issue(['weather.team.svc']) });
      const url = new URL(`https://weather.team.svc:${server.port}${CARD_PATH}`);
      expect((await fetchCard({ url, caBundle: cas.trusted.caPem, connectTo: { host: '127.0.0.1', port: server.port } })).ok).toBe(true);
      const wrongName = new URL(`https://billing.team.svc:${server.port}${CARD_PATH}`);
      expect(failure(await fetchCard({ url: wrongName, caBundle: cas.trusted.caPem, connectTo: { host: '127.0.0.1', port: server.port } })).reason).toBe('TLSError');
    });

    it('refuses a CA bundle that holds no certificate', async () => {
      const server = await a2aServer({ tls: await cas.trusted.issue(LOOPBACK_NAMES) });
      expect(failure(await fetchCard({ url: cardAt(server.url), caBundle: 'not a certificate' }))).toMatchObject({ reason: 'TLSError', message: expect.stringContaining('holds no PEM certificate') });
      const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
      expect(failure(await fetchCard({ url: cardAt(server.url), caBundle: `${cas.trusted.caPem}${broken}` })).message).toContain('certificate 2 of the CA bundle');
      expect(server.cardRequests()).toBe(0);
    });

    it('names https spoken to a plain http server as a TLS failure', async () => {
      const plain = await a2aServer();
      const result = await fetchCard({ url: new URL(`https://127.0.0.1:${plain.port}${CARD_PATH}`) });
      expect(failure(result)).toMatchObject({ reason: 'TLSError' });
    });
  });
});
