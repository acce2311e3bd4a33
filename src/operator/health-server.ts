// /healthz, /readyz and /metrics over plain HTTP, like controller-runtime's probe and metrics servers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Liveness: the process is working (event loop responsive). */
  healthy: () => boolean;
  /** Readiness: caches are synced, or this replica is a standby waiting for the lease. */
  ready: () => boolean;
}

export class HealthServer {
  private readonly server: Server;

  constructor(private readonly options: HealthServerOptions) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
        res.writeHead(code, { 'Content-Type': type });
        res.end(body);
      };
      if (req.method !== 'GET') return reply(405, 'method not allowed\n');
      if (path === '/healthz' || path === '/livez') return this.options.healthy() ? reply(200, 'ok\n') : reply(500, 'unhealthy\n');
      if (path === '/readyz') return this.options.ready() ? reply(200, 'ok\n') : reply(503, 'not ready\n');
      if (path === '/metrics') {
        this.options.registry.metrics().then(
          (text) => reply(200, text, this.options.registry.contentType),
          (err: unknown) => reply(500, `${String(err)}\n`),
        );
        return;
      }
      reply(404, 'not found\n');
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
