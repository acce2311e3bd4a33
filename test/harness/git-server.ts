// Git repositories served over HTTP on 127.0.0.1, for Flux's source-controller (a GitRepository
// takes only http(s) and ssh URLs): `git http-backend`, git's own smart-HTTP CGI program, behind a
// small Node HTTP server. The repositories are ordinary working repositories in a folder of their
// own; a test writes files into one and commits (and tags) them with `commit`.
import { spawn } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { runToolOk } from '../unit/install/support/run-tool.js';

/** Git with no system or user configuration, and a fixed author. */
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Agentry tests',
  GIT_AUTHOR_EMAIL: 'tests@agentry.dev',
  GIT_COMMITTER_NAME: 'Agentry tests',
  GIT_COMMITTER_EMAIL: 'tests@agentry.dev',
};

export function git(cwd: string, args: readonly string[]): Promise<string> {
  return runToolOk('git', args, { cwd, env: GIT_ENV });
}

export interface CommitOptions {
  /** Files and folders to copy in, keyed by their path in the repository (replacing what was there). */
  copy?: Record<string, string>;
  /** Files to write, keyed by their path in the repository. */
  write?: Record<string, string>;
  /** Paths to remove from the repository first. */
  remove?: string[];
  message: string;
  /** Lightweight tags on the new commit. */
  tags?: string[];
}

export class GitServer {
  /** Every request served, as "METHOD /path?query status" (for failure messages). */
  readonly requests: string[] = [];

  private constructor(private readonly server: Server, readonly root: string, readonly baseUrl: string) {}

  /** Serves every repository under `root` (created if missing) at http://127.0.0.1:PORT/<name>. */
  static async start(root: string): Promise<GitServer> {
    await mkdir(root, { recursive: true });
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const self = new GitServer(server, root, `http://127.0.0.1:${port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => self.serve(req, res));
    return self;
  }

  url(repository: string): string {
    return `${this.baseUrl}/${repository}`;
  }

  /** Creates an empty repository whose default branch is `main`. */
  async create(repository: string): Promise<string> {
    const dir = join(this.root, repository);
    await mkdir(dir, { recursive: true });
    await git(dir, ['init', '--quiet', '--initial-branch=main']);
    return dir;
  }

  /** Changes the repository's working tree, commits everything on `main` and returns the commit's SHA. */
  async commit(repository: string, options: CommitOptions): Promise<string> {
    const dir = join(this.root, repository);
    for (const path of options.remove ?? []) await rm(join(dir, path), { recursive: true, force: true });
    for (const [path, from] of Object.entries(options.copy ?? {})) {
      await rm(join(dir, path), { recursive: true, force: true });
      await cp(from, join(dir, path), { recursive: true });
    }
    for (const [path, text] of Object.entries(options.write ?? {})) {
      const target = join(dir, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    await git(dir, ['add', '--all']);
    await git(dir, ['commit', '--quiet', '--allow-empty', '-m', options.message]);
    for (const tag of options.tags ?? []) await git(dir, ['tag', tag]);
    return (await git(dir, ['rev-parse', 'HEAD'])).trim();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** One request through `git http-backend` (CGI: the request in environment variables and stdin, the response on stdout). */
  private serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? '');
    };
    const child = spawn('git', ['http-backend'], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: this.root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: header('content-type'),
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: header('content-length') } : {}),
        HTTP_CONTENT_ENCODING: header('content-encoding'),
        GIT_PROTOCOL: header('git-protocol'),
        REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A client that hangs up early must not take the test process down with an EPIPE.
    child.stdin.on('error', () => undefined);
    req.pipe(child.stdin);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      headersSent = true;
      this.requests.push(`${req.method} ${url.pathname}${url.search} ${status}`);
      res.write(head.subarray(end + 4));
    });
    child.on('close', (code) => {
      if (!headersSent) {
        this.requests.push(`${req.method} ${url.pathname}${url.search} 500 (git http-backend exited ${code}: ${stderr.trim()})`);
        res.writeHead(500).end(stderr);
        return;
      }
      res.end();
    });
  }
}
