// Boots one real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok,
// and Traefik as the Gateway API data plane) for the integration test run, or reuses the one
// AGENTRY_TEST_KUBECONFIG points at (fast iteration: `npm run control-plane -- up --gateway`, then
// `AGENTRY_TEST_KUBECONFIG=... npm test`). It also builds dist/ (`npm run build`): the end-to-end
// tests run the compiled runtime, as the image does.
//
// The control plane runs in a supervisor child process whose stdin is a pipe from this jest
// process: when jest exits for any reason (normal teardown, Ctrl-C, a crash, a failed setup) the
// pipe closes and the supervisor tears everything down. Components additionally die with the
// supervisor (setpriv --pdeathsig), so nothing is orphaned.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const TEST_NODES = 2;

declare global {
  var __agentryControlPlane: ChildProcess | undefined;
}

/**
 * `npm run build` (incremental tsc): the node agent runs the compiled CLI, as the image does. (Jest
 * loads global setup outside its module mapping, so it imports no project module.)
 */
function buildCli(): void {
  const started = Date.now();
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const res = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.error !== undefined || res.status !== 0) {
    throw new Error(`npm run build failed (${res.error?.message ?? `exit ${res.status ?? res.signal}`}); the end-to-end tests run the compiled CLI:\n${res.stdout}${res.stderr}`);
  }
  process.stderr.write(`\n[harness] npm run build: ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

export default async function globalSetup(): Promise<void> {
  const reuse = process.env.AGENTRY_TEST_KUBECONFIG;
  buildCli();
  if (reuse) {
    process.env.KUBECONFIG = reuse;
    process.stderr.write(`\n[harness] reusing the control plane in ${reuse}\n`);
    // Its gateway, when it was started with --gateway (state.json beside the kubeconfig).
    try {
      const state = JSON.parse(readFileSync(join(dirname(reuse), 'state.json'), 'utf8')) as { gateway?: unknown };
      if (state.gateway !== undefined) process.env.AGENTRY_TEST_GATEWAY = JSON.stringify(state.gateway);
    } catch {
      // Not one of ours: the end-to-end tests will say they need a gateway.
    }
    return;
  }
  const script = fileURLToPath(new URL('../../hack/control-plane.ts', import.meta.url));
  process.stderr.write('\n[harness] starting a control plane (binaries are built on first use)\n');
  const child = spawn(process.execPath, ['--import', 'tsx', script, 'run', '--nodes', String(TEST_NODES), '--gateway', '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  globalThis.__agentryControlPlane = child;
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.ready) resolve(msg);
      } catch {
        process.stderr.write(`${line}\n`);
      }
    });
    child.on('exit', (code) => reject(new Error(`control plane exited before it was ready (exit ${code})`)));
  });
  process.env.KUBECONFIG = String(ready.kubeconfig);
  process.env.AGENTRY_TEST_CONTROL_PLANE_DIR = String(ready.dir);
  const binaries = ready.binaries as Record<string, string>;
  for (const [name, path] of Object.entries(binaries)) process.env[`AGENTRY_BIN_${name}`] = path;
  if (ready.gateway !== undefined) process.env.AGENTRY_TEST_GATEWAY = JSON.stringify(ready.gateway);
}
