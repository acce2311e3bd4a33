import http from 'node:http';
import https from 'node:https';
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { toKubeObject } from '../kube/kube-object.js';
import type { KubeObject } from '../kube/kube-object.js';
import { KubeStatusError, ResourceExpiredError } from './list-watch.js';
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
   * A bounded lifetime also recovers from half-open connections, which client-node 1.4's Watch
   * never times out on its own (its client-side timeout signal is overwritten).
   */
  watchTimeoutSeconds?: () => number;
  /**
   * Called once per list page and per watch (when its response arrives, or it fails to start):
   * the hook for client-go's rest_client_* metrics, which count every request, reads included.
   * `statusCode` is 0 when no response came back.
   */
  observe?: (verb: 'LIST' | 'WATCH', statusCode: number, durationMs: number) => void;
}

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `code`, `reason` and `message` from a metav1.Status, tolerating anything else. */
function statusFields(value: unknown): { code?: number; reason?: string; message?: string } {
  if (!isRecord(value)) {
    return {};
  }
  return {
    code: typeof value['code'] === 'number' ? value['code'] : undefined,
    reason: typeof value['reason'] === 'string' ? value['reason'] : undefined,
    message: typeof value['message'] === 'string' ? value['message'] : undefined,
  };
}

function statusError(code: number | undefined, reason: string | undefined, message: string): Error {
  return code === 410 || reason === 'Expired' || reason === 'Gone'
    ? new ResourceExpiredError(message)
    : new KubeStatusError(code, message, reason);
}

/**
 * client-node's Watch hands `done` a plain Error carrying `statusCode` when the watch request
 * itself is answered with a non-200 status (the body, with the server's message, is discarded).
 */
function watchDoneError(err: unknown): Error | undefined {
  if (err === null || err === undefined) {
    return undefined;
  }
  if (err instanceof Error) {
    const statusCode: unknown = (err as Error & { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number') {
      return statusError(statusCode, undefined, `watch request failed: ${statusCode} ${err.message}`);
    }
    return err;
  }
  return new Error('watch failed', { cause: err });
}

/** ListWatch over a real API server, for any resource collection path. */
export class KubeListWatch implements ListWatch {
  private readonly pageSize: number;
  private readonly requestTimeoutMs: number;
  private readonly watchTimeoutSeconds: () => number;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly options: KubeListWatchOptions,
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? (() => Math.floor(300 + Math.random() * 300));
  }

  async list(): Promise<ListResult> {
    try {
      return await this.listAllPages();
    } catch (err) {
      // A continue token expires with the snapshot it points into (410 mid-pagination); the only
      // way forward is a fresh list from the first page.
      if (err instanceof ResourceExpiredError) {
        return this.listAllPages();
      }
      throw err;
    }
  }

  async watch(
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    onDone: (error?: unknown) => void,
  ): Promise<WatchHandle> {
    let finished = false;
    // Set once client-node has the response; `finish` may run before that (connection failures).
    const connection: { current?: AbortController } = {};
    const finish = (error?: unknown): void => {
      if (finished) {
        return;
      }
      finished = true;
      connection.current?.abort();
      onDone(error);
    };

    const query: Record<string, string | number | boolean | undefined> = {
      resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.watchTimeoutSeconds(),
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
    };
    const startedAt = Date.now();
    let observed = false;
    const observe = (statusCode: number): void => {
      if (observed) return;
      observed = true;
      this.options.observe?.('WATCH', statusCode, Date.now() - startedAt);
    };
    // Watch#watch resolves once response headers arrive; failures to connect arrive via `done`.
    const established = await new Watch(this.kubeConfig).watch(
      this.options.path,
      query,
      (phase: string, apiObj: unknown) => {
        if (finished) {
          return;
        }
        try {
          const event = this.toWatchEvent(phase, apiObj);
          if (event instanceof Error) {
            finish(event);
          } else if (event) {
            onEvent(event);
          }
        } catch (err) {
          finish(err);
        }
      },
      (err: unknown) => {
        const error = watchDoneError(err);
        observe(error === undefined ? 200 : error instanceof KubeStatusError ? (error.statusCode ?? 0) : error instanceof ResourceExpiredError ? 410 : 0);
        finish(error);
      },
    );
    observe(200);
    connection.current = established;
    if (finished) {
      established.abort();
    }
    return {
      stop: () => {
        // Mark finished first: aborting makes client-node call `done` with an AbortError, which
        // is our own doing and must not be reported as a failure.
        finished = true;
        established.abort();
      },
    };
  }

  /**
   * Watch ERROR events (for example 410 "too old resource version") reach client-node's event
   * callback, not its `done` callback, so they are turned into errors here.
   */
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
        const { code, reason, message } = statusFields(apiObj);
        return statusError(code, reason, `watch error: ${message ?? 'unknown'}`);
      }
      default:
        return undefined;
    }
  }

  private async listAllPages(): Promise<ListResult> {
    const items: KubeObject[] = [];
    let resourceVersion: string;
    let continueToken: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(this.pageSize) });
      if (continueToken) query.set('continue', continueToken);
      if (this.options.labelSelector) query.set('labelSelector', this.options.labelSelector);
      if (this.options.fieldSelector) query.set('fieldSelector', this.options.fieldSelector);
      const page = await this.getJson(query);
      if (!isRecord(page) || !Array.isArray(page['items']) || !isRecord(page['metadata'])) {
        throw new Error(`list ${this.options.path}: response is not a list`);
      }
      const listKind = typeof page['kind'] === 'string' ? page['kind'] : '';
      const defaults =
        typeof page['apiVersion'] === 'string' && listKind.endsWith('List')
          ? { apiVersion: page['apiVersion'], kind: listKind.slice(0, -'List'.length) }
          : undefined;
      for (const item of page['items']) {
        items.push(toKubeObject(item, defaults));
      }
      const meta = page['metadata'];
      resourceVersion = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : '';
      continueToken = typeof meta['continue'] === 'string' && meta['continue'] !== '' ? meta['continue'] : undefined;
    } while (continueToken);
    return { items, resourceVersion };
  }

  /**
   * A GET with node's own http(s) client: client-node's typed clients deserialize into model
   * classes (timestamps become Date objects, unknown kinds are left raw), so their objects would
   * not match what the watch delivers. applyToHTTPSOptions gives the auth headers and an agent
   * carrying the cluster CA / client certificates (and proxy settings).
   */
  private async getJson(query: URLSearchParams): Promise<unknown> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) {
      throw new Error('kubeconfig has no current cluster');
    }
    const url = new URL(cluster.server + this.options.path);
    url.search = query.toString();
    const requestOptions: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const transport = url.protocol === 'https:' ? https : http;

    const startedAt = Date.now();
    const observe = (statusCode: number): void => this.options.observe?.('LIST', statusCode, Date.now() - startedAt);
    return new Promise((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method: 'GET',
          agent: requestOptions.agent,
          auth: requestOptions.auth,
          headers: { ...requestOptions.headers, Accept: 'application/json' },
          timeout: this.requestTimeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
            const statusCode = response.statusCode ?? 0;
            observe(statusCode);
            if (statusCode >= 200 && statusCode < 300 && body !== undefined) {
              resolve(body);
              return;
            }
            const { reason, message } = statusFields(body);
            reject(statusError(statusCode, reason, `list ${this.options.path}: ${statusCode} ${message ?? text.slice(0, 200)}`));
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`list ${this.options.path}: request timed out`)));
      request.on('error', (err) => {
        observe(0);
        reject(err);
      });
      request.end();
    });
  }
}
