import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeListWatch } from '../../../src/controller/kube-list-watch.js';
import { KubeConnection } from '../../../src/kube/kube-connection.js';
import { KubeApiError } from '../../../src/kube/kube-api-error.js';
import { ResourceExpiredError } from '../../../src/controller/list-watch.js';
import type { WatchEvent } from '../../../src/controller/list-watch.js';

/**
 * A scripted HTTP endpoint standing in for the API server, so the real transport
 * (auth headers, query parameters, chunked watch streams, error statuses) is exercised.
 */
type Route = (req: http.IncomingMessage, url: URL, res: http.ServerResponse) => void;

let server: http.Server;
let baseUrl = '';
let route: Route = (_req, _url, res) => res.writeHead(404).end();
const requests: { url: URL; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ url, authorization: req.headers.authorization });
    route(req, url, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
});

function kubeConfig(): KubeConnection {
  return KubeConnection.fromOptions({ server: baseUrl, token: 'secret-token' });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function service(name: string, rv: string): Record<string, unknown> {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv }, spec: { ports: [] } };
}

/** Runs a watch until it ends and collects what it reported. */
function watchUntilDone(lw: KubeListWatch, rv: string): Promise<{ events: WatchEvent[]; error: unknown }> {
  const events: WatchEvent[] = [];
  return new Promise((resolve) => {
    void lw.watch(rv, (e) => events.push(e), (error) => resolve({ events, error }));
  });
}

describe('KubeListWatch', () => {
  it('lists every page, authenticates, and fills in apiVersion/kind omitted from list items', async () => {
    route = (_req, url, res) => {
      const token = url.searchParams.get('continue');
      json(res, 200, {
        apiVersion: 'v1',
        kind: 'ServiceList',
        metadata: { resourceVersion: '42', continue: token ? undefined : 'page2' },
        items: token ? [service('c', '12')] : [service('a', '10'), service('b', '11')],
      });
    };
    const lw = new KubeListWatch(kubeConfig(), { path: '/api/v1/namespaces/ns/services', labelSelector: 'app=x', pageSize: 2 });
    const result = await lw.list();

    expect(result.resourceVersion).toBe('42');
    expect(result.items.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([
      ['v1', 'Service', 'a'],
      ['v1', 'Service', 'b'],
      ['v1', 'Service', 'c'],
    ]);
    expect(requests.map((r) => r.url.pathname)).toEqual(['/api/v1/namespaces/ns/services', '/api/v1/namespaces/ns/services']);
    expect(requests[0]?.url.searchParams.get('limit')).toBe('2');
    expect(requests[0]?.url.searchParams.get('labelSelector')).toBe('app=x');
    expect(requests[1]?.url.searchParams.get('continue')).toBe('page2');
    expect(requests[0]?.authorization).toBe('Bearer secret-token');
  });

  it('passes each item through the transform as its page is parsed, and says so', async () => {
    const seen: string[] = [];
    route = (_req, url, res) => {
      // The first page has been transformed before the second is asked for.
      if (url.searchParams.get('continue')) seen.push('page 2 asked');
      json(res, 200, {
        apiVersion: 'v1',
        kind: 'ServiceList',
        metadata: { resourceVersion: '42', continue: url.searchParams.get('continue') ? undefined : 'page2' },
        items: url.searchParams.get('continue') ? [service('c', '12')] : [service('a', '10'), service('b', '11')],
      });
    };
    const lw = new KubeListWatch(kubeConfig(), { path: '/api/v1/namespaces/ns/services', pageSize: 2 });
    const result = await lw.list((obj) => {
      seen.push(obj.metadata.name);
      return obj.metadata.name === 'b' ? undefined : { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name } };
    });
    expect(seen).toEqual(['a', 'b', 'page 2 asked', 'c']);
    expect(result).toEqual({
      resourceVersion: '42',
      transformed: true,
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' } },
      ],
    });
  });

  it('asks for metadata only when told to, and reads an empty PartialObjectMetadataList (items: null)', async () => {
    const accepts: (string | undefined)[] = [];
    route = (req, _url, res) => {
      accepts.push(req.headers.accept);
      json(res, 200, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadataList', metadata: { resourceVersion: '7' }, items: null });
    };
    const lw = new KubeListWatch(kubeConfig(), { path: '/api/v1/namespaces/ns/configmaps', metadataOnly: true });
    expect(await lw.list()).toEqual({ items: [], resourceVersion: '7' });
    expect(accepts).toEqual(['application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1']);
  });

  it('starts the list over when the continue token has expired', async () => {
    let expireOnce = true;
    route = (_req, url, res) => {
      const token = url.searchParams.get('continue');
      if (token && expireOnce) {
        expireOnce = false;
        json(res, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'continue token too old' });
        return;
      }
      json(res, 200, {
        apiVersion: 'v1',
        kind: 'ServiceList',
        metadata: { resourceVersion: token ? '8' : '7', continue: token ? undefined : 'next' },
        items: [service(token ? 'b' : 'a', '1')],
      });
    };
    const result = await new KubeListWatch(kubeConfig(), { path: '/api/v1/services' }).list();
    expect(result.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(requests.filter((r) => !r.url.searchParams.has('continue'))).toHaveLength(2);
  });

  it('reports list failures with the API server status', async () => {
    route = (_req, _url, res) => json(res, 403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'services is forbidden' });
    const failure = new KubeListWatch(kubeConfig(), { path: '/api/v1/services' }).list();
    await expect(failure).rejects.toBeInstanceOf(KubeApiError);
    await expect(failure).rejects.toMatchObject({ statusCode: 403, reason: 'Forbidden' });
  });

  it('watches with bookmarks from the given version and turns an ERROR 410 event into ResourceExpiredError', async () => {
    route = (_req, _url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Service', ...service('a', '11') } }) + '\n');
      res.write(JSON.stringify({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Service', metadata: { resourceVersion: '15' } } }) + '\n');
      res.write(
        JSON.stringify({
          type: 'ERROR',
          object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 11 (20)' },
        }) + '\n',
      );
      // The server would close the stream now; keep it open to prove the client ends it.
    };
    const lw = new KubeListWatch(kubeConfig(), { path: '/api/v1/namespaces/ns/services', labelSelector: 'a=b', watchTimeoutSeconds: () => 321 });
    const { events, error } = await watchUntilDone(lw, '10');

    expect(events).toEqual([
      { type: 'ADDED', object: expect.objectContaining({ kind: 'Service', metadata: expect.objectContaining({ name: 'a' }) }) },
      { type: 'BOOKMARK', resourceVersion: '15' },
    ]);
    expect(error).toBeInstanceOf(ResourceExpiredError);
    const query = requests[0]?.url.searchParams;
    expect(query?.get('watch')).toBe('true');
    expect(query?.get('resourceVersion')).toBe('10');
    expect(query?.get('allowWatchBookmarks')).toBe('true');
    expect(query?.get('timeoutSeconds')).toBe('321');
    expect(query?.get('labelSelector')).toBe('a=b');
  });

  it('reports an HTTP-level 410 on the watch request as ResourceExpiredError too', async () => {
    route = (_req, _url, res) => json(res, 410, { kind: 'Status', code: 410, reason: 'Gone' });
    const { error } = await watchUntilDone(new KubeListWatch(kubeConfig(), { path: '/api/v1/services' }), '1');
    expect(error).toBeInstanceOf(ResourceExpiredError);
  });

  it('reports other watch failures as errors and a clean server close as no error', async () => {
    route = (_req, _url, res) => json(res, 500, { kind: 'Status', code: 500 });
    const failed = await watchUntilDone(new KubeListWatch(kubeConfig(), { path: '/api/v1/services' }), '1');
    expect(failed.error).toBeInstanceOf(KubeApiError);
    expect(failed.error).toMatchObject({ statusCode: 500 });

    route = (_req, _url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ type: 'DELETED', object: { apiVersion: 'v1', kind: 'Service', ...service('a', '3') } }) + '\n');
    };
    const closed = await watchUntilDone(new KubeListWatch(kubeConfig(), { path: '/api/v1/services' }), '1');
    expect(closed.events.map((e) => e.type)).toEqual(['DELETED']);
    expect(closed.error).toBeUndefined();
  });

  it('tells its observer about every list page and every watch, with the status code', async () => {
    const seen: [string, number][] = [];
    const observe = (verb: 'LIST' | 'WATCH', code: number) => void seen.push([verb, code]);
    route = (_req, url, res) => {
      if (url.searchParams.get('watch') === 'true') return json(res, 500, { kind: 'Status', code: 500 });
      const token = url.searchParams.get('continue');
      json(res, 200, { kind: 'ServiceList', metadata: { resourceVersion: '5', continue: token ? undefined : 'p2' }, items: [] });
    };
    const lw = new KubeListWatch(kubeConfig(), { path: '/api/v1/services', observe });
    await lw.list();
    await watchUntilDone(lw, '5');
    route = (_req, _url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    };
    await watchUntilDone(lw, '5');
    route = (_req, _url, res) => json(res, 403, { kind: 'Status', code: 403, reason: 'Forbidden' });
    await expect(lw.list()).rejects.toBeInstanceOf(KubeApiError);
    expect(seen).toEqual([['LIST', 200], ['LIST', 200], ['WATCH', 500], ['WATCH', 200], ['LIST', 403]]);
  });

  it('reassembles events split across chunks and splits events sharing one', async () => {
    route = (_req, _url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const a = JSON.stringify({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Service', ...service('a', '2') } });
      const b = JSON.stringify({ type: 'MODIFIED', object: { apiVersion: 'v1', kind: 'Service', ...service('a', '3') } });
      const c = JSON.stringify({ type: 'DELETED', object: { apiVersion: 'v1', kind: 'Service', ...service('a', '4') } });
      res.write(a.slice(0, 10));
      setTimeout(() => {
        res.write(`${a.slice(10)}\n${b}\n${c.slice(0, 5)}`);
        setTimeout(() => res.end(`${c.slice(5)}\n`), 20);
      }, 20);
    };
    const { events, error } = await watchUntilDone(new KubeListWatch(kubeConfig(), { path: '/api/v1/services' }), '1');
    expect(error).toBeUndefined();
    expect(events.map((e) => (e.type === 'BOOKMARK' ? e.resourceVersion : `${e.type}@${e.object.metadata.resourceVersion}`))).toEqual(['ADDED@2', 'MODIFIED@3', 'DELETED@4']);
    expect(requests[0]?.authorization).toBe('Bearer secret-token');
  });

  it('ends the watch with an error on a line that is not JSON', async () => {
    route = (_req, _url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('<html>proxy error</html>\n');
    };
    const { error } = await watchUntilDone(new KubeListWatch(kubeConfig(), { path: '/api/v1/services' }), '1');
    expect(error).toBeInstanceOf(Error);
  });

  it('does not report a watch it stopped itself', async () => {
    let opened!: () => void;
    let serverSawClose!: () => void;
    const streamOpen = new Promise<void>((r) => (opened = r));
    const closed = new Promise<void>((r) => (serverSawClose = r));
    route = (req, _url, res) => {
      req.on('close', () => serverSawClose());
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('\n');
      opened();
    };
    const done: unknown[] = [];
    const handle = await new KubeListWatch(kubeConfig(), { path: '/api/v1/services' }).watch('1', () => undefined, (e) => done.push(e ?? 'clean'));
    await streamOpen;
    handle.stop();
    await closed; // the abort reached the server, so the client has long since seen it too
    await new Promise((r) => setImmediate(r));
    expect(done).toEqual([]);
  });
});
