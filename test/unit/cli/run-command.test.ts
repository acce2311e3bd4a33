// `agentry run` refuses bad input before it touches a cluster: a configuration file with errors
// (each named with its field, and the file named), bad flag values, unknown flags.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, RUN_USAGE } from '../../../src/cli/run-command.js';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentry-run-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), readFile: () => Promise.reject(new Error('unused')) });
  return { code, stdout, stderr };
}

describe('agentry run', () => {
  it('exits 1 on a bad configuration file, naming the file and every wrong field', async () => {
    const file = join(dir, 'operator.yaml');
    await writeFile(file, 'workers: 0\nlogLevel: loud\ngateway:\n  pathTemplate: /agents\n');
    const { code, stderr } = await run(['--config', file]);
    expect(code).toBe(1);
    expect(stderr).toContain(`invalid operator configuration (${file})`);
    expect(stderr).toContain('workers:');
    expect(stderr).toContain('logLevel:');
    expect(stderr).toContain('gateway.pathTemplate: must contain {name}');
  });

  it('exits 1 when the configuration file cannot be read', async () => {
    const { code, stderr } = await run(['--config', join(dir, 'missing.yaml')]);
    expect(code).toBe(1);
    expect(stderr).toContain('missing.yaml');
  });

  it('exits 1 on a bad --workers and 2 on a bad --probe-address or an unknown flag', async () => {
    expect(await run(['--workers', 'many'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--workers') });
    expect(await run(['--probe-address', 'localhost:http'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--probe-address') });
    expect(await run(['--lead'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--lead'") });
  });

  it('exits 1 with the kubeconfig problem, before touching a cluster, on a bad --kubeconfig or --context', async () => {
    expect(await run(['--kubeconfig', join(dir, 'nope.yaml')])).toMatchObject({ code: 1, stderr: expect.stringContaining('no kubeconfig file found at') });
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeFile(
      kubeconfig,
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: ctx, context: {cluster: c, user: u}}]\ncurrent-context: ctx\n',
    );
    expect(await run(['--kubeconfig', kubeconfig, '--context', 'other'])).toMatchObject({ code: 1, stderr: expect.stringContaining('context "other" not found') });
  });

  it('documents --user-agent', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: RUN_USAGE, stderr: '' });
    expect(RUN_USAGE).toContain('--user-agent');
  });
});
