// One bounded GET, on node:http/node:https rather than fetch: the connection can go to a Service's
// ClusterIP while the request names the Service's host, the CA can be set per request, every
// address a name resolves to passes the host policy at connect time (not before, where DNS could
// answer differently), and the body is cut off at its limit while it streams. No redirect is
// followed here, no cookie kept, no connection reused.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import tls from 'node:tls';

import type { HostPolicy } from './host-policy.js';

export interface CardRequest {
  url: URL;
  headers: Record<string, string>;
  maxBytes: number;
  /** PEM, added to the default trust store. */
  caBundle?: string;
  hostPolicy?: HostPolicy;
  connectTo?: { host: string; port: number };
  /** DNS; dns.lookup by default (tests answer as a rebinding resolver would). */
  lookup?: LookupFunction;
  /** Aborted with a RequestStop when the deadline passes or the caller gives up. */
  signal: AbortSignal;
}

export type RequestOutcome =
  | { kind: 'body'; status: number; body: Buffer }
  | { kind: 'redirect'; status: number; location: string | undefined }
  | { kind: 'status'; status: number; statusText: string }
  | { kind: 'failed'; reason: 'ConnectionFailed' | 'HttpError' | 'TLSError' | 'TooLarge' | 'HostNotAllowed' | 'Timeout' | 'Aborted'; detail: string };

/** Why a request was stopped from outside: its abort reason. */
export class RequestStop extends Error {
  constructor(readonly reason: 'Timeout' | 'Aborted', detail: string) {
    super(detail);
  }
}

/** A resolved address the host policy refused, raised from the lookup so the connection never opens. */
class HostRefused extends Error {}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Node's codes for a certificate that does not verify, and OpenSSL's for a handshake that failed. */
const TLS_CODES: ReadonlyMap<string, string> = new Map([
  ['DEPTH_ZERO_SELF_SIGNED_CERT', "the server's certificate is self-signed and not trusted (spec.tls.caBundle adds a CA)"],
  ['SELF_SIGNED_CERT_IN_CHAIN', "the server's certificate chain ends in a CA that is not trusted (spec.tls.caBundle adds one)"],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', "the server's certificate is not signed by a trusted CA (spec.tls.caBundle adds one)"],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', "the server's certificate is not signed by a trusted CA (spec.tls.caBundle adds one)"],
  ['UNABLE_TO_GET_ISSUER_CERT', "the issuer of the server's certificate is not trusted (spec.tls.caBundle adds a CA)"],
  ['CERT_HAS_EXPIRED', "the server's certificate has expired"],
  ['CERT_NOT_YET_VALID', "the server's certificate is not valid yet"],
  ['ERR_SSL_WRONG_VERSION_NUMBER', 'the TLS handshake failed: the server does not seem to speak TLS on this port'],
]);

/** The trust store a CA bundle is added to: the process's default (with NODE_EXTRA_CA_CERTS) where Node can say what it is. */
function defaultTrust(): readonly string[] {
  // tls.getCACertificates is Node 22.15+ (the image runs 24); @types/node here is 20's.
  const getCACertificates: unknown = Reflect.get(tls, 'getCACertificates');
  if (typeof getCACertificates === 'function') {
    const store: unknown = Reflect.apply(getCACertificates, tls, ['default']);
    if (Array.isArray(store) && store.every((pem) => typeof pem === 'string')) return store;
  }
  return tls.rootCertificates;
}

function describeError(err: unknown, url: URL, connect: { host: string; port: number }): Extract<RequestOutcome, { kind: 'failed' }> {
  if (err instanceof RequestStop) return { kind: 'failed', reason: err.reason, detail: err.message };
  if (err instanceof HostRefused) return { kind: 'failed', reason: 'HostNotAllowed', detail: err.message };
  // Not `instanceof Error`: errors of node's own modules may come from another realm (a test's VM).
  const fields: { code?: unknown; message?: unknown } = typeof err === 'object' && err !== null ? err : {};
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const message = typeof fields.message === 'string' ? fields.message : String(err);
  const tlsWords = code === undefined ? undefined : TLS_CODES.get(code);
  if (tlsWords !== undefined) return { kind: 'failed', reason: 'TLSError', detail: tlsWords };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { kind: 'failed', reason: 'TLSError', detail: `the server's certificate is not for ${url.hostname}` };
  if (code !== undefined && (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_') || code === 'EPROTO')) {
    return { kind: 'failed', reason: 'TLSError', detail: `the TLS handshake failed (${code})` };
  }
  // Node's HTTP parser: more body than Content-Length said, a malformed status line or header.
  if (code?.startsWith('HPE_') === true) return { kind: 'failed', reason: 'HttpError', detail: `the answer is not valid HTTP (${code})` };
  const where = `${connect.host.includes(':') ? `[${connect.host}]` : connect.host}:${connect.port}`;
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'failed', reason: 'ConnectionFailed', detail: `connection refused by ${where}` };
    case 'ENOTFOUND':
      return { kind: 'failed', reason: 'ConnectionFailed', detail: `no such host: ${connect.host}` };
    case 'EAI_AGAIN':
      return { kind: 'failed', reason: 'ConnectionFailed', detail: `looking up ${connect.host} failed for now (DNS)` };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'failed', reason: 'ConnectionFailed', detail: `the connection to ${where} was reset` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return { kind: 'failed', reason: 'ConnectionFailed', detail: `${where} is unreachable (${code})` };
    default:
      return { kind: 'failed', reason: 'ConnectionFailed', detail: code === undefined ? message : `${message} (${code})` };
  }
}

/** dns.lookup (or the given one) whose every answer must pass the policy, or the connection fails. */
function checkedLookup(hostname: string, policy: HostPolicy, resolve: LookupFunction): LookupFunction {
  return (name, options, callback) => {
    resolve(name, { ...options, all: true }, (err, answer) => {
      if (err) return callback(err, '');
      const addresses = typeof answer === 'string' ? [{ address: answer, family: isIP(answer) }] : answer;
      // Every answer, not just the first: the connection may try any of them.
      for (const { address } of addresses) {
        const refusal = policy.refusal(hostname, address);
        if (refusal !== undefined) return callback(new HostRefused(refusal), '');
      }
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${name}`), { code: 'ENOTFOUND' }), '');
      if (options.all === true) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

const bare = (hostname: string) => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname);

export function requestCard(request: CardRequest): Promise<RequestOutcome> {
  const { url, signal } = request;
  const hostname = bare(url.hostname);
  const secure = url.protocol === 'https:';
  const connect = request.connectTo ?? { host: hostname, port: url.port === '' ? (secure ? 443 : 80) : Number(url.port) };

  // An IP literal is connected to without a lookup, so it is checked here.
  if (request.hostPolicy !== undefined && isIP(connect.host) !== 0) {
    const refusal = request.hostPolicy.refusal(hostname, connect.host);
    if (refusal !== undefined) return Promise.resolve({ kind: 'failed', reason: 'HostNotAllowed', detail: refusal });
  }
  const resolve: LookupFunction = request.lookup ?? dns.lookup;
  const lookup = request.hostPolicy === undefined ? resolve : checkedLookup(hostname, request.hostPolicy, resolve);

  return new Promise((settle) => {
    let req: http.ClientRequest | undefined;
    let settled = false;
    const finish = (outcome: RequestOutcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', stop);
      req?.destroy();
      settle(outcome);
    };
    const stop = () => finish(describeError(signal.reason, url, connect));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });

    const options: https.RequestOptions = {
      host: connect.host,
      port: connect.port,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { ...request.headers, Host: url.host },
      agent: false,
      lookup,
      ...(secure && {
        // Verified against the URL's host, wherever the connection goes.
        ...(isIP(hostname) === 0 && { servername: hostname }),
        checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(hostname, cert),
        rejectUnauthorized: true,
        ...(request.caBundle !== undefined && { ca: [...defaultTrust(), request.caBundle] }),
      }),
    };
    try {
      req = secure ? https.request(options) : http.request(options);
    } catch (err) {
      return finish(describeError(err, url, connect));
    }
    req.on('error', (err) => finish(describeError(err, url, connect)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status)) return finish({ kind: 'redirect', status, location: res.headers.location });
      if (status < 200 || status > 299) return finish({ kind: 'status', status, statusText: res.statusMessage ?? '' });
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > request.maxBytes) {
        return finish({ kind: 'failed', reason: 'TooLarge', detail: `the card is ${declared} bytes (Content-Length), over the limit of ${request.maxBytes}` });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) return finish({ kind: 'failed', reason: 'TooLarge', detail: `the card is over the limit of ${request.maxBytes} bytes` });
        chunks.push(chunk);
      });
      res.on('end', () => finish({ kind: 'body', status, body: Buffer.concat(chunks) }));
      // The server closed before the body was complete (shorter than its Content-Length, or a chunked body cut off).
      const cutOff = () => finish({ kind: 'failed', reason: 'ConnectionFailed', detail: 'the connection closed before the whole card was sent' });
      res.on('error', cutOff);
      res.on('close', () => {
        if (!res.complete) cutOff();
      });
    });
    req.end();
  });
}
