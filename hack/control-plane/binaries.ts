// Locates (building on first use) the control-plane binaries through hack/binaries.sh, which owns
// the pinned versions and the per-user cache. Its progress goes straight to our stderr so a cold
// build is visible; its stdout is NAME=path lines.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Component =
  | 'actionlint'
  | 'kube-apiserver'
  | 'etcd'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kwok'
  | 'helm'
  | 'gateway-api'
  | 'kustomize'
  | 'flux-crds'
  | 'prometheus-operator-crds'
  | 'flux'
  | 'crane'
  | 'traefik';

export type BinaryPaths = Record<string, string>;

const script = fileURLToPath(new URL('../binaries.sh', import.meta.url));

export async function ensureBinaries(components: readonly Component[]): Promise<BinaryPaths> {
  const child = spawn('bash', [script, ...components], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': stdout may still hold unread NAME=path lines when the process exits.
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`hack/binaries.sh ${components.join(' ')} failed (exit ${code})`);
  const paths: BinaryPaths = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) paths[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return paths;
}

export function requirePath(paths: BinaryPaths, name: string): string {
  const path = paths[name];
  if (!path) throw new Error(`hack/binaries.sh did not report ${name}`);
  return path;
}
