// Reads a RemoteAgent's agent card: one bounded GET of <endpoint>/.well-known/agent-card.json, the
// scheme and host checked first, same-origin redirects only (each checked again), then the JSON
// read as an A2A card (1.0, or 0.3 mapped to 1.0). Never throws: every outcome is a result whose
// reason the RemoteAgent controller puts in a condition. Messages say the URL and the cause, never
// a header value (those are tenants' secrets).
import { X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';

import type { AgentCardJson } from '../../contract/agent-card.js';
import { contentHash } from '../apply/content-hash.js';
import { requestCard, RequestStop, type RequestOutcome } from './card-request.js';
import type { HostPolicy } from './host-policy.js';
import { readAgentCard } from './third-party-card.js';

export interface CardFetchOptions {
  /** The card URL (…/.well-known/agent-card.json; see cardUrlOf). */
  url: URL;
  /** The whole fetch, redirects and body included. */
  timeoutMs: number;
  /** Body limit; a Content-Length over it is refused before anything is read. */
  maxBytes: number;
  /** Auth headers: sent as they are, never logged, never in a message. */
  headers?: Record<string, string>;
  /** PEM, added to (not replacing) the default trust store. */
  caBundle?: string;
  /** Whether http: URLs are allowed. */
  allowHttp: boolean;
  /** Undefined: no host check (the in-cluster Service form). */
  hostPolicy?: HostPolicy;
  /** Connect here instead of resolving the URL's host (a Service's ClusterIP); the request still names the URL's host. */
  connectTo?: { host: string; port: number };
  /** Same-origin redirects followed; 3 by default. */
  maxRedirects?: number;
  signal?: AbortSignal;
  /** DNS; dns.lookup by default. Tests answer as a rebinding resolver would. */
  lookup?: LookupFunction;
}

export type CardFetchReason =
  | 'ConnectionFailed'
  | 'Timeout'
  | 'HttpError'
  | 'RedirectRefused'
  | 'TooManyRedirects'
  | 'TooLarge'
  | 'TLSError'
  | 'HostNotAllowed'
  | 'InsecureScheme'
  | 'InvalidHeader'
  | 'Aborted'
  | 'InvalidJson'
  | 'InvalidCard';

export type CardFetchResult =
  | { ok: true; card: AgentCardJson; raw: unknown; digest: string }
  | { ok: false; condition: 'Reachable' | 'CardValid'; reason: CardFetchReason; message: string };

export const DEFAULT_MAX_REDIRECTS = 3;
const USER_AGENT = 'agentry-operator (RemoteAgent card fetcher)';
/** Shorter header values are not looked for in messages: they would match ordinary words (and are no secrets). */
const MIN_REDACTED_LENGTH = 6;
/** How much of a body that is not JSON a message quotes. */
const QUOTED_ERROR_CHARS = 160;

/** The endpoint with a trailing slash, plus `.well-known/agent-card.json` (query and fragment dropped). */
export function cardUrlOf(endpoint: URL): URL {
  const base = new URL(endpoint.href);
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return new URL('.well-known/agent-card.json', base);
}

/** A URL as messages show it: no query (it may carry a token), no fragment. */
function shown(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What Node refuses in a header value: control characters other than tab, line breaks above all. */
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function headerProblem(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) return `header ${JSON.stringify(name)} is not a valid HTTP header name`;
    if (BAD_HEADER_VALUE.test(value)) return `the value of header ${name} has a line break or another control character (a Secret written with a trailing newline?)`;
  }
  return undefined;
}

/** Every block of the bundle is a certificate, and there is one at least. */
function caBundleProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'the CA bundle (spec.tls.caBundle) holds no PEM certificate';
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${index + 1} of the CA bundle (spec.tls.caBundle) is not a valid PEM certificate`;
    }
  }
  return undefined;
}

/** Why a redirect leaves the origin, or undefined when it stays. */
function crossOrigin(from: URL, to: URL): string | undefined {
  if (to.protocol !== from.protocol) return `another scheme (${to.protocol.slice(0, -1)})`;
  if (to.hostname !== from.hostname) return 'another host';
  if (to.port !== from.port) return 'another port';
  return undefined;
}

export async function fetchAgentCard(options: CardFetchOptions): Promise<CardFetchResult> {
  try {
    return scrubbed(await fetchCard(options), Object.values(options.headers ?? {}));
  } catch (err) {
    // Not expected; still a result, and still without header values.
    const detail = err instanceof Error ? err.message : String(err);
    return scrubbed(unreachable('ConnectionFailed', options.url, `unexpected error: ${detail}`), Object.values(options.headers ?? {}));
  }
}

function unreachable(reason: CardFetchReason, url: URL, detail: string): CardFetchResult {
  return { ok: false, condition: 'Reachable', reason, message: `GET ${shown(url)}: ${detail}` };
}

/** A header value never leaves in a message, even if some error quoted it. */
function scrubbed(result: CardFetchResult, secrets: readonly string[]): CardFetchResult {
  if (result.ok) return result;
  let message = result.message;
  for (const secret of secrets) if (secret.length >= MIN_REDACTED_LENGTH) message = message.split(secret).join('[redacted]');
  return { ...result, message };
}

async function fetchCard(options: CardFetchOptions): Promise<CardFetchResult> {
  const headers = options.headers ?? {};
  const badHeader = headerProblem(headers);
  if (badHeader !== undefined) return unreachable('InvalidHeader', options.url, badHeader);
  if (options.caBundle !== undefined) {
    const badCa = caBundleProblem(options.caBundle);
    if (badCa !== undefined) return unreachable('TLSError', options.url, badCa);
  }
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;

  const stopper = new AbortController();
  const timer = setTimeout(() => stopper.abort(new RequestStop('Timeout', `no complete answer within ${formatMs(options.timeoutMs)}`)), options.timeoutMs);
  const onAbort = () => stopper.abort(new RequestStop('Aborted', 'the fetch was canceled'));
  if (options.signal?.aborted === true) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let url = options.url;
    for (let redirects = 0; ; redirects += 1) {
      const refused = schemeOrHostRefusal(url, options);
      if (refused !== undefined) return refused;
      const outcome = await requestCard({
        url,
        headers: { ...headers, Accept: 'application/json', 'User-Agent': USER_AGENT, 'A2A-Version': '1.0' },
        maxBytes: options.maxBytes,
        signal: stopper.signal,
        ...(options.caBundle !== undefined && { caBundle: options.caBundle }),
        ...(options.hostPolicy !== undefined && { hostPolicy: options.hostPolicy }),
        ...(options.connectTo !== undefined && { connectTo: options.connectTo }),
        ...(options.lookup !== undefined && { lookup: options.lookup }),
      });
      if (outcome.kind !== 'redirect') return resultOf(url, outcome);
      const next = redirectTarget(url, outcome, redirects, maxRedirects);
      if (!(next instanceof URL)) return next;
      url = next;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function schemeOrHostRefusal(url: URL, options: CardFetchOptions): CardFetchResult | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return unreachable('InsecureScheme', url, `the scheme ${url.protocol.slice(0, -1)} is not http or https`);
  if (url.protocol === 'http:' && !options.allowHttp) return unreachable('InsecureScheme', url, 'http is not allowed (remoteAgents.allowHttp is false): use https');
  if (url.username !== '' || url.password !== '') return unreachable('HostNotAllowed', url, 'the URL has credentials in it (user:password@); use headersFrom');
  // The name first; the addresses it resolves to are checked as the connection is made.
  const refusal = options.hostPolicy?.refusal(url.hostname);
  return refusal === undefined ? undefined : unreachable('HostNotAllowed', url, refusal);
}

function redirectTarget(url: URL, outcome: Extract<RequestOutcome, { kind: 'redirect' }>, redirects: number, maxRedirects: number): URL | CardFetchResult {
  if (outcome.location === undefined || outcome.location === '') return unreachable('HttpError', url, `${outcome.status} redirect without a Location`);
  let next: URL;
  try {
    next = new URL(outcome.location, url);
  } catch {
    return unreachable('HttpError', url, `${outcome.status} redirect to a Location that is not a URL`);
  }
  const leaves = crossOrigin(url, next);
  if (leaves !== undefined) return unreachable('RedirectRefused', url, `${outcome.status} redirect to ${next.origin}/ refused: ${leaves}`);
  if (redirects >= maxRedirects) return unreachable('TooManyRedirects', url, `${outcome.status} redirect to ${shown(next)} not followed: more than ${maxRedirects} redirects`);
  return next;
}

function resultOf(url: URL, outcome: Exclude<RequestOutcome, { kind: 'redirect' }>): CardFetchResult {
  switch (outcome.kind) {
    case 'failed':
      return unreachable(outcome.reason, url, outcome.detail);
    case 'status':
      return unreachable('HttpError', url, `HTTP ${outcome.status}${outcome.statusText === '' ? '' : ` ${outcome.statusText}`}`);
    case 'body':
      return cardOf(url, outcome.body);
  }
}

function cardOf(url: URL, body: Buffer): CardFetchResult {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, condition: 'CardValid', reason: 'InvalidJson', message: `GET ${shown(url)}: the body is empty, not an agent card` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, condition: 'CardValid', reason: 'InvalidJson', message: `GET ${shown(url)}: the body is not JSON (${cut(detail)})` };
  }
  const reading = readAgentCard(raw);
  if (!reading.ok) return { ok: false, condition: 'CardValid', reason: 'InvalidCard', message: `GET ${shown(url)}: not a valid A2A agent card: ${cut(reading.problem)}` };
  return { ok: true, card: reading.card, raw, digest: contentHash(reading.card, 64) };
}

function cut(text: string): string {
  return text.length <= QUOTED_ERROR_CHARS ? text : `${text.slice(0, QUOTED_ERROR_CHARS)}…`;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
