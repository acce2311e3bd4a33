// A thin JSON client for the Kubernetes API.
//
// Why not client-node's typed APIs: they (de)serialize through generated models, which silently drop
// any field the model does not know (e.g. `x-kubernetes-validations` in a CRD, or fields newer than
// the model) and turn timestamps into Date objects. Server-side apply must send exactly the object
// we rendered, and comparisons need exactly what the server returned, so bodies here are plain JSON.
// Connection details and credentials come from KubeConnection (kubeconfig, in-cluster, exec plugins).
import type { Agent, RequestOptions } from 'node:http';
import { KubeApiError, parseJson } from './kube-api-error.js';
import { requestSignal } from './request-signal.js';
import { ResourceMapper, resourcePath, type ResourceInfo } from './resource-mapper.js';
import type { KubeObject } from './kube-object.js';
import type { KubeConnection } from './kube-connection.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptionsExtra {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Ends the request; so does the signal of the work it is made for (see request-signal.ts). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What every typed call takes: a signal of its own (the ambient one of the reconcile applies anyway). */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Called once per request, after it completes: the hook for metrics and request counting. */
export type RequestObserver = (method: HttpMethod, path: string, statusCode: number, durationMs: number) => void;

export interface KubeClientOptions {
  userAgent?: string;
  observe?: RequestObserver;
  /** Max concurrent connections to the API server. */
  maxSockets?: number;
  /** Act as another user (RBAC tests: the operator as its ServiceAccount, a tenant as theirs). */
  impersonate?: { user: string; groups?: string[] };
}

export interface ApplyOptions extends CallOptions {
  fieldManager: string;
  force?: boolean;
  subresource?: 'status';
  dryRun?: boolean;
}

export class KubeClient {
  readonly mapper = new ResourceMapper();
  private readonly agent: Agent;

  constructor(readonly connection: KubeConnection, private readonly options: KubeClientOptions = {}) {
    this.agent = connection.createAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 32 });
  }

  async request(method: HttpMethod, path: string, extra: RequestOptionsExtra = {}): Promise<unknown> {
    const url = new URL(path, this.connection.server);
    for (const [k, v] of Object.entries(extra.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const opts: RequestOptions = { method, agent: this.agent };
    const headers: Record<string, string> = { ...(await this.connection.authorization()), Accept: 'application/json' };
    if (this.options.userAgent) headers['User-Agent'] = this.options.userAgent;
    if (this.options.impersonate) {
      headers['Impersonate-User'] = this.options.impersonate.user;
      // An array value goes out as one header line per group, which is what the API server reads.
      const groups = this.options.impersonate.groups ?? [];
      if (groups.length > 0) (headers as Record<string, string | string[]>)['Impersonate-Group'] = groups;
    }
    let payload: string | undefined;
    if (extra.body !== undefined) {
      payload = JSON.stringify(extra.body);
      headers['Content-Type'] = extra.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    opts.headers = headers;
    const signal = requestSignal(extra.signal);
    signal?.throwIfAborted();
    const started = Date.now();
    const { statusCode, text } = await new Promise<{ statusCode: number; text: string }>((resolve, reject) => {
      const req = this.connection.request(url, { ...opts, signal, timeout: extra.timeoutMs ?? 60_000 }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, text: data }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    }).catch((err: unknown) => {
      this.options.observe?.(method, url.pathname, 0, Date.now() - started);
      throw err;
    });
    this.options.observe?.(method, url.pathname, statusCode, Date.now() - started);
    if (statusCode < 200 || statusCode >= 300) throw KubeApiError.fromResponse(statusCode, text, method, url.pathname);
    // A body that is not JSON (a text endpoint such as /healthz) is returned as it is.
    return parseJson(text) ?? (text || undefined);
  }

  async resource(apiVersion: string, kind: string, options: CallOptions = {}): Promise<ResourceInfo> {
    return this.mapper.resolve(this, apiVersion, kind, options);
  }

  async get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string, options: CallOptions = {}): Promise<T> {
    const info = await this.resource(apiVersion, kind, options);
    return (await this.request('GET', resourcePath(info, namespace, name), options)) as T;
  }

  /** Like get, but undefined when the object does not exist. */
  async find<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    options: CallOptions = {},
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(apiVersion, kind, namespace, name, options);
    } catch (err) {
      if (KubeApiError.isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string, options: CallOptions = {}): Promise<T[]> {
    const info = await this.resource(apiVersion, kind, options);
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const page = (await this.request('GET', resourcePath(info, namespace), { query: { labelSelector, limit: 500, continue: cont }, signal: options.signal })) as {
        items?: T[];
        metadata?: { continue?: string };
      };
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  async create<T extends KubeObject>(obj: T, query: { dryRun?: boolean; fieldManager?: string } & CallOptions = {}): Promise<T> {
    const info = await this.resource(obj.apiVersion, obj.kind, query);
    return (await this.request('POST', resourcePath(info, obj.metadata.namespace), {
      body: obj,
      signal: query.signal,
      query: { dryRun: query.dryRun ? 'All' : undefined, fieldManager: query.fieldManager },
    })) as T;
  }

  /** Server-side apply: the object is the full intent of `fieldManager` for this object. */
  async apply<T extends KubeObject>(obj: T, options: ApplyOptions): Promise<T> {
    const info = await this.resource(obj.apiVersion, obj.kind, options);
    return (await this.request('PATCH', resourcePath(info, obj.metadata.namespace, obj.metadata.name, options.subresource), {
      body: obj,
      signal: options.signal,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: options.fieldManager, force: options.force ? true : undefined, dryRun: options.dryRun ? 'All' : undefined },
    })) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } },
    patch: unknown,
    type: 'merge' | 'json' | 'strategic' = 'merge',
    options: { fieldManager?: string; subresource?: 'status' } & CallOptions = {},
  ): Promise<T> {
    const info = await this.resource(ref.apiVersion, ref.kind, options);
    const contentType = { merge: 'application/merge-patch+json', json: 'application/json-patch+json', strategic: 'application/strategic-merge-patch+json' }[type];
    return (await this.request('PATCH', resourcePath(info, ref.metadata.namespace, ref.metadata.name, options.subresource), {
      body: patch,
      signal: options.signal,
      contentType,
      query: { fieldManager: options.fieldManager },
    })) as T;
  }

  /** Deletes; returns false when it was already gone. */
  async delete(
    ref: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string; uid?: string } },
    options: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; preconditionUid?: string } & CallOptions = {},
  ): Promise<boolean> {
    const info = await this.resource(ref.apiVersion, ref.kind, options);
    try {
      await this.request('DELETE', resourcePath(info, ref.metadata.namespace, ref.metadata.name), {
        signal: options.signal,
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: options.propagationPolicy ?? 'Background',
          ...(options.preconditionUid ? { preconditions: { uid: options.preconditionUid } } : {}),
        },
      });
      return true;
    } catch (err) {
      if (KubeApiError.isNotFound(err)) return false;
      throw err;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
