// The local control plane, from the command line.
//
//   npm run control-plane -- up   [--nodes N] [--no-controllers] [--dir D]   start in the background
//   npm run control-plane -- env  [--dir D]                                  print `export KUBECONFIG=...`
//   npm run control-plane -- down [--dir D]                                  stop it and clean up
//   npm run control-plane -- run  [--nodes N] [--no-controllers] [--dir D] [--exit-with-stdin]
//        run in the foreground until Ctrl-C / SIGTERM (or until stdin closes, which is how the test
//        harness ties the control plane's life to the jest process that started it)
//
//   --flux also runs Flux's source-, kustomize- and helm-controller (their CRDs installed first).
//
//   --gateway also runs Traefik as the Gateway API data plane: GatewayClass agentry-traefik, Gateway
//   agentry-gateway/traefik on a free loopback port (printed, and in state.json).
//
// Binaries are built on first use by hack/binaries.sh (see hack/versions.env).
import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ControlPlane, waitFor, type ControlPlaneInfo } from './control-plane/control-plane.js';

const defaultDir = join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), `agentry-control-plane-${userInfo().username}`);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    nodes: { type: 'string', default: '1' },
    'no-controllers': { type: 'boolean', default: false },
    gateway: { type: 'boolean', default: false },
    flux: { type: 'boolean', default: false },
    dir: { type: 'string' },
    'exit-with-stdin': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const command = positionals[0] ?? 'help';
const nodes = Number.parseInt(values.nodes, 10);
if (!Number.isInteger(nodes) || nodes < 0) throw new Error(`--nodes must be a non-negative integer, got ${values.nodes}`);

interface State extends ControlPlaneInfo {
  supervisorPid: number;
}

async function readState(dir: string): Promise<State | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function run(dir: string | undefined): Promise<void> {
  if (dir) await mkdir(dir, { recursive: true });
  const cp = await ControlPlane.start({ nodes, controllers: !values['no-controllers'] || nodes > 0, gateway: values.gateway, flux: values.flux, ...(dir ? { dir } : {}) });
  const info = cp.describe();
  const state: State = { ...info, supervisorPid: process.pid };
  await writeFile(join(info.dir, 'state.json'), JSON.stringify(state, null, 2));
  // One machine-readable line for whoever started us (the test harness), then human hints.
  process.stdout.write(`${JSON.stringify({ ready: true, ...state })}\n`);
  process.stderr.write(`\nControl plane up. Point kubectl at it:\n  export KUBECONFIG=${info.kubeconfig}\n  kubectl get nodes\nLogs: ${info.dir}/*.log\n${info.gateway ? `Gateway (Traefik): ${info.gateway.url} (Gateway ${info.gateway.namespace}/${info.gateway.name})\n` : ''}\n`);

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[control-plane] stopping (${why})\n`);
    await cp.stop();
    if (values.dir && !values.keep) await rm(info.dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  if (values['exit-with-stdin']) {
    process.stdin.on('end', () => void stop('stdin closed'));
    process.stdin.on('error', () => void stop('stdin error'));
    process.stdin.resume();
  }
}

async function up(dir: string): Promise<void> {
  const existing = await readState(dir);
  if (existing && alive(existing.supervisorPid)) {
    process.stderr.write(`already running (pid ${existing.supervisorPid})\n`);
  } else {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const log = openSync(join(dir, 'supervisor.log'), 'a');
    const script = fileURLToPath(import.meta.url);
    const args = ['--import', 'tsx', script, 'run', '--dir', dir, '--nodes', String(nodes), '--keep'];
    if (values['no-controllers']) args.push('--no-controllers');
    if (values.gateway) args.push('--gateway');
    if (values.flux) args.push('--flux');
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    process.stderr.write(`starting (building binaries on first use; progress in ${dir}/supervisor.log)\n`);
    await waitFor('the control plane', async () => {
      if (child.exitCode !== null) throw new Error(`supervisor exited (${child.exitCode}); see ${dir}/supervisor.log`);
      return (await readState(dir)) !== undefined;
    }, 60 * 60_000, 500);
  }
  await env(dir);
}

async function env(dir: string): Promise<void> {
  const state = await readState(dir);
  if (!state || !alive(state.supervisorPid)) throw new Error(`no control plane running in ${dir}; run \`npm run control-plane -- up\``);
  process.stdout.write(`export KUBECONFIG=${state.kubeconfig}\n`);
}

async function down(dir: string): Promise<void> {
  const state = await readState(dir);
  if (state && alive(state.supervisorPid)) {
    process.kill(state.supervisorPid, 'SIGTERM');
    await waitFor('the control plane to stop', () => Promise.resolve(!alive(state.supervisorPid)), 30_000);
  }
  if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
  process.stderr.write('control plane stopped\n');
}

switch (command) {
  case 'run':
    await run(values.dir);
    break;
  case 'up':
    await up(values.dir ?? defaultDir);
    break;
  case 'env':
    await env(values.dir ?? defaultDir);
    break;
  case 'down':
    await down(values.dir ?? defaultDir);
    break;
  default:
    process.stderr.write('usage: control-plane.ts up|down|env|run [--nodes N] [--no-controllers] [--gateway] [--flux] [--dir D] [--exit-with-stdin]\n');
    process.exitCode = command === 'help' ? 0 : 2;
}
