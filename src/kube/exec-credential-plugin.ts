// client-go's exec credential plugins (`users[].user.exec` in a kubeconfig): what `aws eks get-token`,
// `gke-gcloud-auth-plugin` and `kubelogin` implement. The plugin prints an ExecCredential whose
// status carries a bearer token and, optionally, when it expires.
//
// Tokens only: a plugin that returns client certificates would need the TLS agents rebuilt on every
// rotation; it fails with a message saying so rather than silently sending no credentials.
import { execFile } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

export const execConfigSchema = z.looseObject({
  apiVersion: z.string().min(1),
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  provideClusterInfo: z.boolean().optional(),
});
export type ExecConfig = z.infer<typeof execConfigSchema>;

const execCredentialSchema = z.looseObject({
  kind: z.literal('ExecCredential'),
  status: z.looseObject({
    token: z.string().optional(),
    clientCertificateData: z.string().optional(),
    expirationTimestamp: z.string().optional(),
  }),
});

/** Refresh this long before the plugin's stated expiry, so no request goes out with a token about to lapse. */
const EXPIRY_MARGIN_MS = 10_000;
const PLUGIN_TIMEOUT_MS = 60_000;

export class ExecCredentialPlugin {
  private cached?: { token: string; expiresAt: number };
  private pending?: Promise<string>;
  private readonly command: string;

  constructor(
    private readonly config: ExecConfig,
    private readonly where: { baseDir: string; server: string; source: string },
  ) {
    // As client-go: a command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH.
    this.command = config.command.includes('/') && !isAbsolute(config.command) ? resolve(where.baseDir, config.command) : config.command;
  }

  async token(now = Date.now()): Promise<string> {
    if (this.cached && now < this.cached.expiresAt - EXPIRY_MARGIN_MS) return this.cached.token;
    // Concurrent requests share one plugin run.
    this.pending ??= this.run().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The server rejected the token: the next request runs the plugin again. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async run(): Promise<string> {
    const execInfo = {
      apiVersion: this.config.apiVersion,
      kind: 'ExecCredential',
      spec: { interactive: false, ...(this.config.provideClusterInfo ? { cluster: { server: this.where.server } } : {}) },
    };
    const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(execInfo) };
    for (const { name, value } of this.config.env ?? []) env[name] = value;
    const stdout = await new Promise<string>((resolvePromise, reject) => {
      execFile(this.command, this.config.args ?? [], { env, timeout: PLUGIN_TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, out, errOut) => {
        if (err) reject(new Error(`${this.where.source}: exec plugin ${this.config.command} failed: ${err.message}${errOut ? `: ${errOut.trim().slice(0, 500)}` : ''}`));
        else resolvePromise(out);
      });
    });
    let parsed;
    try {
      parsed = execCredentialSchema.parse(JSON.parse(stdout));
    } catch (err) {
      throw new Error(`${this.where.source}: exec plugin ${this.config.command} did not print an ExecCredential: ${(err as Error).message.slice(0, 300)}`, { cause: err });
    }
    const { token, clientCertificateData, expirationTimestamp } = parsed.status;
    if (!token) {
      throw new Error(
        `${this.where.source}: exec plugin ${this.config.command} returned ${clientCertificateData ? 'client certificates, which agentry does not support' : 'no token'}`,
      );
    }
    const expiresAt = expirationTimestamp ? Date.parse(expirationTimestamp) : Number.POSITIVE_INFINITY;
    this.cached = { token, expiresAt: Number.isNaN(expiresAt) ? Number.POSITIVE_INFINITY : expiresAt };
    return token;
  }
}
