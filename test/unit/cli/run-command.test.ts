// `agentry run` refuses bad input before it touches a cluster: a configuration file with errors
// (each named with its field, and the file named), bad flag values (checked by the configuration's
// schema, named by the flag, exit 2, never a throw), unknown flags.
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

  it('exits 2 on a bad --probe-address or an unknown flag', async () => {
    expect(await run(['--probe-address', 'localhost:http'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--probe-address') });
    expect(await run(['--lead'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--lead'") });
  });

  // The schema's limits and messages, as for the same field in a file; the flag named, and what was given.
  it.each([
    [['--log-level', 'verbose'], '--log-level: Invalid option: expected one of "trace"|"debug"|"info"|"warn"|"error"|"fatal" (got "verbose")'],
    [['--workers', '1000'], '--workers: Too big: expected number to be <=64 (got "1000")'],
    [['--workers', '0'], '--workers: Too small: expected number to be >=1 (got "0")'],
    [['--workers', 'many'], '--workers: Invalid input: expected number, received string (got "many")'],
    [['--workers=2.5'], '--workers: Invalid input: expected int, received number (got "2.5")'],
    [['--namespaces', 'team-a,Team_B'], "--namespaces[1]: must be a lowercase RFC 1123 label: letters, digits and '-', starting and ending with a letter or digit (got \"team-a,Team_B\")"],
    [['--namespaces', ','], '--namespaces: Too small: expected array to have >=1 items (got ",")'],
  ])('exits 2, with one message naming the flag, on %j', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: `agentry run: invalid operator configuration (command line):\n  - ${message}\n` });
  });

  it('checks the file and the flags in one validation: every problem once, the flag named by its flag and the field by its path', async () => {
    const file = join(dir, 'both-wrong.yaml');
    await writeFile(file, 'resyncPeriodSeconds: -1\n');
    const { code, stderr } = await run(['--config', file, '--workers', '65', '--log-level', 'loud']);
    expect(code).toBe(2);
    expect(stderr.split('\n').filter((l) => l.startsWith('  - '))).toEqual([
      '  - --workers: Too big: expected number to be <=64 (got "65")',
      '  - resyncPeriodSeconds: Too small: expected number to be >=0',
      '  - --log-level: Invalid option: expected one of "trace"|"debug"|"info"|"warn"|"error"|"fatal" (got "loud")',
    ]);
    expect(stderr).toContain(`invalid operator configuration (${file})`);
  });

  it('lets a flag override the file: the file value it replaces is not validated', async () => {
    const file = join(dir, 'overridden.yaml');
    await writeFile(file, 'workers: 100\nlogLevel: verbose\nwatchNamespaces: [Not_A_Namespace]\n');
    expect(await run(['--config', file])).toMatchObject({ code: 1, stderr: expect.stringContaining('workers: Too big') });
    // Past the configuration, the next step needs a kubeconfig: the missing one is the only complaint.
    const { code, stderr } = await run(['--config', file, '--workers', '8', '--log-level', 'debug', '--namespaces', 'team-a', '--kubeconfig', join(dir, 'none.yaml')]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/^agentry run: no kubeconfig file found at /) });
  });

  it('refuses, with the lease rule the leader election starts with, lease timings it could not run', async () => {
    const file = join(dir, 'lease.yaml');
    await writeFile(file, 'leaderElection: {renewDeadlineSeconds: 10, retryPeriodSeconds: 9}\n');
    const { code, stderr } = await run(['--config', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('  - leaderElection.retryPeriodSeconds: retryPeriodSeconds × 1.2 (10.8) must be less than renewDeadlineSeconds (10)\n');
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
