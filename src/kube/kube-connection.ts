// How to reach and authenticate to one API server: the server URL, its TLS trust, and the
// credentials to present — what a client needs from a kubeconfig context or from a pod's
// ServiceAccount mount.
//
// Why not client-node's KubeConfig: importing @kubernetes/client-node loads its generated API models
// (~73 MiB of RSS, measured), a third of the operator's memory budget at 5,000 Agents, and the
// operator uses none of them: its requests are plain JSON (see kube-client.ts).
import { existsSync, readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ExecCredentialPlugin } from './exec-credential-plugin.js';
import { loadKubeconfigFiles, parseKubeconfig } from './kubeconfig-file.js';

/** Where a pod finds its ServiceAccount credentials (the projected token volume). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** client-go re-reads a token file at most once a minute: bound ServiceAccount tokens rotate hourly. */
const TOKEN_FILE_TTL_MS = 60_000;

export interface KubeConnectionOptions {
  server: string;
  /** PEM bundle the server's certificate must chain to; the system roots when absent. */
  caPem?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  /** SNI name and the name checked in the server's certificate, when it differs from the URL's host. */
  tlsServerName?: string;
  clientCertificatePem?: string | Buffer;
  clientKeyPem?: string | Buffer;
  token?: string;
  /** Re-read at most once a minute, so rotated tokens are picked up. */
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: ExecCredentialPlugin;
  /** The context's default namespace (in-cluster: the pod's namespace). */
  namespace?: string;
  /** Where this connection came from, for error messages. */
  source?: string;
}

/** The namespace of the pod's ServiceAccount, from its mounted files; undefined outside a pod. */
export function serviceAccountNamespace(dir = SERVICE_ACCOUNT_DIR): string | undefined {
  const namespaceFile = join(dir, 'namespace');
  return existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
}

export class KubeConnection {
  readonly server: URL;
  readonly namespace: string | undefined;
  readonly source: string;
  private cachedFileToken?: { token: string; readAt: number };

  private constructor(private readonly options: KubeConnectionOptions) {
    try {
      this.server = new URL(options.server);
    } catch {
      throw new Error(`${options.source ?? 'kube connection'}: server is not a URL: ${JSON.stringify(options.server)}`);
    }
    if (this.server.protocol !== 'https:' && this.server.protocol !== 'http:') {
      throw new Error(`${options.source ?? 'kube connection'}: server must be an http(s) URL, got ${options.server}`);
    }
    if ((options.clientCertificatePem === undefined) !== (options.clientKeyPem === undefined)) {
      throw new Error(`${options.source ?? 'kube connection'}: a client certificate needs its key, and a key its certificate`);
    }
    this.namespace = options.namespace;
    this.source = options.source ?? options.server;
  }

  static fromOptions(options: KubeConnectionOptions): KubeConnection {
    return new KubeConnection(options);
  }

  /** The current (or named) context of a kubeconfig file list, merged the way kubectl merges $KUBECONFIG. */
  static fromKubeconfigFiles(paths: string[], context?: string): KubeConnection {
    return new KubeConnection(loadKubeconfigFiles(paths, context));
  }

  static fromKubeconfigFile(path: string, context?: string): KubeConnection {
    return KubeConnection.fromKubeconfigFiles([path], context);
  }

  /** A kubeconfig document's current (or named) context; relative paths resolve against `baseDir`. */
  static fromKubeconfigText(text: string, baseDir: string, context?: string): KubeConnection {
    return new KubeConnection(parseKubeconfig(text, { baseDir, source: 'kubeconfig' }, context));
  }

  /** A pod's own ServiceAccount: the kubernetes Service from the environment, the mounted token and CA. */
  static inCluster(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): KubeConnection {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    if (!host || !port) throw new Error('not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set');
    return new KubeConnection({
      server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
      // As client-go: without the mounted CA, trust the system roots.
      ...(existsSync(join(dir, 'ca.crt')) ? { caPem: readFileSync(join(dir, 'ca.crt')) } : {}),
      tokenFile: join(dir, 'token'),
      namespace: serviceAccountNamespace(dir),
      source: 'in-cluster service account',
    });
  }

  /**
   * controller-runtime's order: an explicit kubeconfig, then $KUBECONFIG, then the in-cluster
   * ServiceAccount, then ~/.kube/config. In-cluster comes before the home directory so that a pod
   * whose image happens to carry a kubeconfig still runs as its own ServiceAccount. As there (client-go's
   * InClusterConfig fails without a readable token), a pod with no token mounted
   * (automountServiceAccountToken: false; the Service variables are still set) goes on to ~/.kube/config.
   */
  static fromDefault(
    options: { kubeconfig?: string; context?: string; env?: NodeJS.ProcessEnv; home?: string; serviceAccountDir?: string } = {},
  ): KubeConnection {
    const env = options.env ?? process.env;
    if (options.kubeconfig) return KubeConnection.fromKubeconfigFile(options.kubeconfig, options.context);
    const list = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
    if (list.length > 0) return KubeConnection.fromKubeconfigFiles(list, options.context);
    const serviceAccountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
    if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(join(serviceAccountDir, 'token'))) {
      return KubeConnection.inCluster(env, serviceAccountDir);
    }
    const home = join(options.home ?? homedir(), '.kube', 'config');
    if (existsSync(home)) return KubeConnection.fromKubeconfigFile(home, options.context);
    throw new Error('no cluster to talk to: pass --kubeconfig, set KUBECONFIG, run in a pod, or create ~/.kube/config');
  }

  /** The same server and TLS trust, other credentials: what a pod of ServiceAccount X would use. */
  withCredentials(credentials: Pick<KubeConnectionOptions, 'token' | 'tokenFile' | 'clientCertificatePem' | 'clientKeyPem' | 'username' | 'password' | 'exec'>): KubeConnection {
    const { server, caPem, insecureSkipTlsVerify, tlsServerName, namespace, source } = this.options;
    return new KubeConnection({ server, caPem, insecureSkipTlsVerify, tlsServerName, namespace, source, ...credentials });
  }

  /**
   * An agent carrying this connection's TLS material. Each client owns its agents so that, say,
   * leader election never queues behind a burst of applies on a shared socket pool.
   */
  createAgent(options: { keepAlive?: boolean; maxSockets?: number } = {}): HttpAgent {
    const common = { keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? Infinity };
    if (this.server.protocol === 'http:') return new HttpAgent(common);
    const { caPem, insecureSkipTlsVerify, tlsServerName, clientCertificatePem, clientKeyPem } = this.options;
    return new HttpsAgent({
      ...common,
      ...(caPem !== undefined ? { ca: caPem } : {}),
      ...(clientCertificatePem !== undefined ? { cert: clientCertificatePem, key: clientKeyPem } : {}),
      ...(tlsServerName ? { servername: tlsServerName } : {}),
      rejectUnauthorized: !insecureSkipTlsVerify,
    });
  }

  /**
   * Sends one request to this server, over http or https as its URL says. A 401 answer drops the
   * cached tokens here, for every client of this connection alike (client-go refreshes on 401 too).
   */
  request(url: URL, options: RequestOptions, onResponse: (response: IncomingMessage) => void): ClientRequest {
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return send(url, options, (response) => {
      if (response.statusCode === 401) this.credentialsRejected();
      onResponse(response);
    });
  }

  /** Headers that authenticate one request. Async: tokens may come from a file or an exec plugin. */
  async authorization(): Promise<Record<string, string>> {
    const { token, tokenFile, username, password, exec } = this.options;
    if (token) return { Authorization: `Bearer ${token}` };
    if (tokenFile) return { Authorization: `Bearer ${this.readTokenFile(tokenFile)}` };
    if (exec) return { Authorization: `Bearer ${await exec.token()}` };
    if (username !== undefined) return { Authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` };
    return {};
  }

  /** The server answered 401: forget cached tokens so the next request fetches fresh ones (as client-go does). */
  credentialsRejected(): void {
    this.cachedFileToken = undefined;
    this.options.exec?.invalidate();
  }

  private readTokenFile(path: string): string {
    const now = Date.now();
    if (!this.cachedFileToken || now - this.cachedFileToken.readAt > TOKEN_FILE_TTL_MS) {
      const token = readFileSync(path, 'utf8').trim();
      if (!token) throw new Error(`${this.source}: token file ${path} is empty`);
      this.cachedFileToken = { token, readAt: now };
    }
    return this.cachedFileToken.token;
  }
}
