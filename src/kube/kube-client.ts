// A thin JSON client for the Kubernetes API.
//
// Why not client-node's typed APIs: they (de)serialize through generated models, which silently drop
// any field the model does not know (e.g. `x-kubernetes-validations` in a CRD, or fields newer than
// the model) and turn timestamps into Date objects. Server-side apply must send exactly the object
// we rendered, and comparisons need exactly what the server returned, so bodies here are plain JSON.
// Connection details and credentials come from KubeConnection (kubeconfig, in-cluster, exec plugins).
import type { Agent, RequestOptions } from 'node:http';
import { KubeApiError, parseJson } from './kube-api-error.js';
import { ResourceMapper, resourcePath, type ResourceInfo } from './resource-mapper.js';
import type { KubeObject } from './kube-object.js';
import type { KubeConnection } from './kube-connection.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptionsExtra {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
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

export interface ApplyOptions {
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
    const started = Date.now();
    const { statusCode, text } = await new Promise<{ statusCode: number; text: string }>((resolve, reject) => {
      const req = this.connection.request(url, { ...opts, signal: extra.signal, timeout: extra.timeoutMs ?? 60_000 }, (res) => {
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

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    return this.mapper.resolve(this, apiVersion, kind);
  }

  async get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T> {
    const info = await this.resource(apiVersion, kind);
    return (await this.request('GET', resourcePath(info, namespace, name))) as T;
  }

  /** Like get, but undefined when the object does not exist. */
  async find<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.get<T>(apiVersion, kind, namespace, name);
    } catch (err) {
      if (KubeApiError.isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]> {
    const info = await this.resource(apiVersion, kind);
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const page = (await this.request('GET', resourcePath(info, namespace), { query: { labelSelector, limit: 500, continue: cont } })) as {
        items?: T[];
        metadata?: { continue?: string };
      };
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  async create<T extends KubeObject>(obj: T, query: { dryRun?: boolean; fieldManager?: string } = {}): Promise<T> {
    const info = await this.resource(obj.apiVersion, obj.kind);
    return (await this.request('POST', resourcePath(info, obj.metadata.namespace), {
      body: obj,
      query: { dryRun: query.dryRun ? 'All' : undefined, fieldManager: query.fieldManager },
    })) as T;
  }

  /** Server-side apply: the object is the full intent of `fieldManager` for this object. */
  async apply<T extends KubeObject>(obj: T, options: ApplyOptions): Promise<T> {
    const info = await this.resource(obj.apiVersion, obj.kind);
    return (await this.request('PATCH', resourcePath(info, obj.metadata.namespace, obj.metadata.name, options.subresource), {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: options.fieldManager, force: options.force ? true : undefined, dryRun: options.dryRun ? 'All' : undefined },
    })) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } },
    patch: unknown,
    type: 'merge' | 'json' | 'strategic' = 'merge',
    options: { fieldManager?: string; subresource?: 'status' } = {},
  ): Promise<T> {
    const info = await this.resource(ref.apiVersion, ref.kind);
    const contentType = { merge: 'application/merge-patch+json', json: 'application/json-patch+json', strategic: 'application/strategic-merge-patch+json' }[type];
    return (await this.request('PATCH', resourcePath(info, ref.metadata.namespace, ref.metadata.name, options.subresource), {
      body: patch,
      contentType,
      query: { fieldManager: options.fieldManager },
    })) as T;
  }

  /** Deletes; returns false when it was already gone. */
  async delete(
    ref: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string; uid?: string } },
    options: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; preconditionUid?: string } = {},
  ): Promise<boolean> {
    const info = await this.resource(ref.apiVersion, ref.kind);
    try {
      await this.request('DELETE', resourcePath(info, ref.metadata.namespace, ref.metadata.name), {
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
