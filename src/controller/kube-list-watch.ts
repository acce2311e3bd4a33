import type { Agent } from 'node:http';
import type { KubeConnection } from '../kube/kube-connection.js';
import { KubeApiError, parseJson, statusFields } from '../kube/kube-api-error.js';
import { isRecord, toKubeObject } from '../kube/kube-object.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ResourceExpiredError } from './list-watch.js';
import type { ListResult, ListWatch, WatchEvent, WatchHandle } from './list-watch.js';

export interface KubeListWatchOptions {
  /**
   * The collection's path, e.g. `/api/v1/namespaces/default/services` or
   * `/apis/agentry.dev/v1alpha1/agents` (all namespaces).
   */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects per list page (`limit`); large collections are fetched with `continue` tokens. */
  pageSize?: number;
  /** Per list request: time the socket may stay idle before the request fails. */
  requestTimeoutMs?: number;
  /**
   * Server-side lifetime of one watch. client-go picks 5–10 minutes at random so that the
   * watches of many clients do not all reconnect at the same moment; so does the default here.
   * The client also gives up on a watch that has been silent for its whole lifetime plus a minute:
   * the server should have closed it by then, so the connection is half-open.
   */
  watchTimeoutSeconds?: () => number;
  /**
   * Called once per list page and per watch (when its response arrives, or it fails to start):
   * the hook for client-go's rest_client_* metrics, which count every request, reads included.
   * `statusCode` is 0 when no response came back.
   */
  observe?: (verb: 'LIST' | 'WATCH', statusCode: number, durationMs: number) => void;
  userAgent?: string;
  /**
   * Ask for metadata only (PartialObjectMetadata, as controller-runtime's metadata-only watches do):
   * the server sends no spec, data or status, so a collection of large objects costs its metadata.
   * Objects arrive with apiVersion meta.k8s.io/v1 and kind PartialObjectMetadata; the informer's
   * transform gives them their own.
   */
  metadataOnly?: boolean;
}

const METADATA_ONLY_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const METADATA_ONLY_OBJECT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** A Status the server sent (as an HTTP error or a watch ERROR event): 410/Expired means relist. */
function statusError(verb: 'list' | 'watch', path: string, statusCode: number, body: unknown, text: string): Error {
  const { code = statusCode, reason, message } = statusFields(body);
  if (code === 410 || reason === 'Expired' || reason === 'Gone') return new ResourceExpiredError(`${verb} ${path}: ${code} ${message ?? text.slice(0, 200)}`);
  return new KubeApiError(code, reason ?? 'Unknown', message ?? text.slice(0, 200), body, verb === 'list' ? 'LIST' : 'WATCH', path);
}

/** ListWatch over a real API server, for any resource collection path. */
export class KubeListWatch implements ListWatch {
  private readonly pageSize: number;
  private readonly requestTimeoutMs: number;
  private readonly watchTimeoutSeconds: () => number;
  /** Watches hold their connection for minutes: a pool of their own, apart from the writers'. */
  private readonly agent: Agent;

  constructor(
    private readonly connection: KubeConnection,
    private readonly options: KubeListWatchOptions,
  ) {
    this.agent = connection.createAgent({ keepAlive: true });
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? (() => Math.floor(300 + Math.random() * 300));
  }

  /** Pages of `pageSize` objects; each item passes through `transform` as its page is parsed. */
  async list(transform?: (obj: KubeObject) => KubeObject | undefined): Promise<ListResult> {
    try {
      return await this.listAllPages(transform);
    } catch (err) {
      // A continue token expires with the snapshot it points into (410 mid-pagination); the only
      // way forward is a fresh list from the first page.
      if (err instanceof ResourceExpiredError) {
        return this.listAllPages(transform);
      }
      throw err;
    }
  }

  async watch(
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    onDone: (error?: unknown) => void,
  ): Promise<WatchHandle> {
    const abort = new AbortController();
    let finished = false;
    const finish = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      abort.abort();
      onDone(error);
    };
    const handle: WatchHandle = {
      stop: () => {
        // Mark finished first: aborting fails the request with an AbortError, which is our own
        // doing and must not be reported as a failure.
        finished = true;
        abort.abort();
      },
    };

    const timeoutSeconds = this.watchTimeoutSeconds();
    const query = new URLSearchParams({ watch: 'true', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds) });
    if (this.options.labelSelector) query.set('labelSelector', this.options.labelSelector);
    if (this.options.fieldSelector) query.set('fieldSelector', this.options.fieldSelector);
    const url = this.url(query);
    const headers = await this.headers(METADATA_ONLY_OBJECT);
    const startedAt = Date.now();
    const observe = (statusCode: number): void => this.options.observe?.('WATCH', statusCode, Date.now() - startedAt);

    // Resolves once the response headers arrive (or the request fails); events follow through onEvent.
    return new Promise<WatchHandle>((resolve) => {
      const request = this.connection.request(
        url,
        { method: 'GET', agent: this.agent, headers, signal: abort.signal, timeout: (timeoutSeconds + 60) * 1000 },
        (response) => {
          const statusCode = response.statusCode ?? 0;
          observe(statusCode);
          resolve(handle);
          response.setEncoding('utf8');
          if (statusCode !== 200) {
            let text = '';
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => {
              finish(statusError('watch', this.options.path, statusCode, parseJson(text), text));
            });
            response.on('error', (err) => finish(err));
            return;
          }
          let buffered = '';
          response.on('data', (chunk: string) => {
            buffered += chunk;
            for (let nl = buffered.indexOf('\n'); nl >= 0 && !finished; nl = buffered.indexOf('\n')) {
              const line = buffered.slice(0, nl);
              buffered = buffered.slice(nl + 1);
              if (line.trim() !== '') this.deliver(line, onEvent, finish);
            }
          });
          // The server ends a watch after timeoutSeconds: a clean close, the informer re-watches.
          response.on('end', () => finish(undefined));
          response.on('error', (err) => finish(err));
        },
      );
      request.on('timeout', () => request.destroy(new Error(`watch ${this.options.path}: no data for ${timeoutSeconds + 60} s (half-open connection)`)));
      request.on('error', (err) => {
        if (!finished) observe(0);
        resolve(handle);
        finish(err);
      });
      request.end();
    });
  }

  /** One line of the watch stream: `{"type": ..., "object": ...}`. */
  private deliver(line: string, onEvent: (event: WatchEvent) => void, finish: (error?: unknown) => void): void {
    try {
      const frame: unknown = JSON.parse(line);
      if (!isRecord(frame) || typeof frame['type'] !== 'string') throw new Error(`watch ${this.options.path}: not a watch event: ${line.slice(0, 200)}`);
      const event = this.toWatchEvent(frame['type'], frame['object']);
      if (event instanceof Error) finish(event);
      else if (event) onEvent(event);
    } catch (err) {
      finish(err);
    }
  }

  /** ERROR events (for example 410 "too old resource version") end the watch with an error. */
  private toWatchEvent(phase: string, apiObj: unknown): WatchEvent | Error | undefined {
    switch (phase) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED':
        return { type: phase, object: toKubeObject(apiObj) };
      case 'BOOKMARK': {
        const metadata = isRecord(apiObj) ? apiObj['metadata'] : undefined;
        const rv = isRecord(metadata) ? metadata['resourceVersion'] : undefined;
        return typeof rv === 'string' ? { type: 'BOOKMARK', resourceVersion: rv } : undefined;
      }
      case 'ERROR': {
        // The event's Status carries its own code (a 200 stream that reports a 410, say).
        return statusError('watch', this.options.path, 0, apiObj, 'unknown watch error');
      }
      default:
        return undefined;
    }
  }

  private async listAllPages(transform: ((obj: KubeObject) => KubeObject | undefined) | undefined): Promise<ListResult> {
    const items: KubeObject[] = [];
    let resourceVersion: string;
    let continueToken: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(this.pageSize) });
      if (continueToken) query.set('continue', continueToken);
      if (this.options.labelSelector) query.set('labelSelector', this.options.labelSelector);
      if (this.options.fieldSelector) query.set('fieldSelector', this.options.fieldSelector);
      const page = await this.getJson(query);
      // An empty PartialObjectMetadataList comes with `items: null`.
      const pageItems: unknown = isRecord(page) && page['items'] === null ? [] : isRecord(page) ? page['items'] : undefined;
      if (!isRecord(page) || !Array.isArray(pageItems) || !isRecord(page['metadata'])) {
        throw new Error(`list ${this.options.path}: response is not a list`);
      }
      const listKind = typeof page['kind'] === 'string' ? page['kind'] : '';
      const defaults =
        typeof page['apiVersion'] === 'string' && listKind.endsWith('List')
          ? { apiVersion: page['apiVersion'], kind: listKind.slice(0, -'List'.length) }
          : undefined;
      for (const item of pageItems) {
        const obj = toKubeObject(item, defaults);
        const kept = transform ? transform(obj) : obj;
        if (kept) items.push(kept);
      }
      const meta = page['metadata'];
      resourceVersion = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : '';
      continueToken = typeof meta['continue'] === 'string' && meta['continue'] !== '' ? meta['continue'] : undefined;
    } while (continueToken);
    return { items, resourceVersion, ...(transform && { transformed: true }) };
  }

  private url(query: URLSearchParams): URL {
    const url = new URL(this.options.path, this.connection.server);
    url.search = query.toString();
    return url;
  }

  /** `metadataAccept`: the Accept header of a metadata-only request of this kind (list or watch). */
  private async headers(metadataAccept: string): Promise<Record<string, string>> {
    return {
      ...(await this.connection.authorization()),
      Accept: this.options.metadataOnly ? metadataAccept : 'application/json',
      ...(this.options.userAgent ? { 'User-Agent': this.options.userAgent } : {}),
    };
  }

  private async getJson(query: URLSearchParams): Promise<unknown> {
    const url = this.url(query);
    const headers = await this.headers(METADATA_ONLY_LIST);
    const startedAt = Date.now();
    const observe = (statusCode: number): void => this.options.observe?.('LIST', statusCode, Date.now() - startedAt);
    return new Promise((resolve, reject) => {
      const request = this.connection.request(url, { method: 'GET', agent: this.agent, headers, timeout: this.requestTimeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const body = parseJson(text);
          const statusCode = response.statusCode ?? 0;
          observe(statusCode);
          if (statusCode >= 200 && statusCode < 300 && body !== undefined) {
            resolve(body);
            return;
          }
          reject(statusError('list', this.options.path, statusCode, body, text));
        });
      });
      request.on('timeout', () => request.destroy(new Error(`list ${this.options.path}: request timed out`)));
      request.on('error', (err) => {
        observe(0);
        reject(err);
      });
      request.end();
    });
  }
}
