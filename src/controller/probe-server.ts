// /healthz, /readyz and /metrics over plain HTTP, like controller-runtime's probe and metrics
// servers. Each probe is the conjunction of named checks; a failing check answers 503 with its
// name and message (`[-]cache-sync failed: timed out after 120s waiting for ...`), so a kubectl
// describe of an unready pod says why.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { CheckResult } from './controller.js';

/** A named probe check. */
export type Check = () => CheckResult;

export interface ProbeServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Liveness: the process is working. */
  healthChecks: ReadonlyMap<string, Check>;
  /** Readiness: the caches are synced and the controllers run, or this replica is a standby. */
  readyChecks: ReadonlyMap<string, Check>;
}

/** The probe's answer: 200 when every check passes, 503 with each failing one (all of them with ?verbose). */
function probe(checks: ReadonlyMap<string, Check>, verbose: boolean): { code: number; body: string } {
  const lines: string[] = [];
  let failed = false;
  for (const [name, check] of checks) {
    let result: CheckResult;
    try {
      result = check();
    } catch (err) {
      result = { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    if (!result.ok) failed = true;
    if (!result.ok) lines.push(`[-]${name} failed: ${result.message ?? 'not ok'}`);
    else if (verbose) lines.push(`[+]${name} ok`);
  }
  if (!failed) return { code: 200, body: verbose ? `${lines.join('\n')}\nok\n` : 'ok\n' };
  return { code: 503, body: `${lines.join('\n')}\n` };
}

export class ProbeServer {
  private readonly server: Server;

  constructor(private readonly options: ProbeServerOptions) {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://probe');
      const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
        res.writeHead(code, { 'Content-Type': type });
        res.end(body);
      };
      if (req.method !== 'GET') return reply(405, 'method not allowed\n');
      const verbose = url.searchParams.has('verbose');
      if (url.pathname === '/healthz' || url.pathname === '/livez') {
        const { code, body } = probe(this.options.healthChecks, verbose);
        return reply(code, body);
      }
      if (url.pathname === '/readyz') {
        const { code, body } = probe(this.options.readyChecks, verbose);
        return reply(code, body);
      }
      if (url.pathname === '/metrics') {
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
