// Boots one real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)
// for the integration test run, or reuses the one AGENTRY_TEST_KUBECONFIG points at (fast iteration:
// `npm run control-plane -- up`, then `AGENTRY_TEST_KUBECONFIG=... npm test`).
//
// The control plane runs in a supervisor child process whose stdin is a pipe from this jest
// process: when jest exits for any reason (normal teardown, Ctrl-C, a crash, a failed setup) the
// pipe closes and the supervisor tears everything down. Components additionally die with the
// supervisor (setpriv --pdeathsig), so nothing is orphaned.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const TEST_NODES = 2;

declare global {
  var __agentryControlPlane: ChildProcess | undefined;
}

export default async function globalSetup(): Promise<void> {
  const reuse = process.env.AGENTRY_TEST_KUBECONFIG;
  if (reuse) {
    process.env.KUBECONFIG = reuse;
    process.stderr.write(`\n[harness] reusing the control plane in ${reuse}\n`);
    return;
  }
  const script = fileURLToPath(new URL('../../hack/control-plane.ts', import.meta.url));
  process.stderr.write('\n[harness] starting a control plane (binaries are built on first use)\n');
  const child = spawn(process.execPath, ['--import', 'tsx', script, 'run', '--nodes', String(TEST_NODES), '--exit-with-stdin'], {
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
}
