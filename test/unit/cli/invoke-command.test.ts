// `agentry invoke`: flags, and which URL it talks to (publicUrl, else url, else --url). The A2A
// exchange itself runs against real agents through the gateway in test/integration/e2e-gateway.test.ts.
import { describe, expect, it } from '@jest/globals';

import type { CliIo } from '../../../src/cli/cli-io.js';
import { invokeCommand, type InvokeCommandDeps } from '../../../src/cli/invoke-command.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';

function io(): CliIo & { out: string; err: string } {
  const captured = {
    out: '',
    err: '',
    stdout: (t: string) => void (captured.out += t),
    stderr: (t: string) => void (captured.err += t),
    readFile: () => Promise.reject(new Error('no files')),
  };
  return captured;
}

const agent = (status: Record<string, unknown> | undefined): KubeObject & { status?: Record<string, unknown> } => ({
  apiVersion: 'agentry.dev/v1alpha1',
  kind: 'Agent',
  metadata: { name: 'expenses', namespace: 'team' },
  ...(status !== undefined && { status }),
});

/** A fetch that records what it was asked for and answers 503 (no agent behind it). */
function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fake: typeof fetch = (input) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return Promise.resolve(new Response('no agent here', { status: 503 }));
  };
  return { fetch: fake, urls };
}

function deps(object: KubeObject | undefined, fetchImpl: typeof fetch): InvokeCommandDeps & { asked: { namespace: string | undefined; name: string }[] } {
  const asked: { namespace: string | undefined; name: string }[] = [];
  return {
    asked,
    readAgent: (namespace, name) => {
      asked.push({ namespace, name });
      return Promise.resolve({ object, namespace: namespace ?? 'default' });
    },
    fetch: fetchImpl,
  };
}

describe('agentry invoke', () => {
  it('needs an agent and a message, and checks its flags', async () => {
    for (const argv of [[], ['expenses'], ['expenses', 'hi', 'there'], ['expenses', 'hi', '--timeout', '0'], ['expenses', 'hi', '--url', 'ftp://x'], ['expenses', 'hi', '--bogus']]) {
      const out = io();
      expect({ argv, code: await invokeCommand(argv, out, deps(undefined, recordingFetch().fetch)) }).toEqual({ argv, code: 2 });
      expect(out.err).toContain('Usage: agentry invoke');
    }
  });

  it('--help prints the usage', async () => {
    const out = io();
    expect(await invokeCommand(['--help'], out)).toBe(0);
    expect(out.out).toContain('--stream');
  });

  it('reads the Agent in the given namespace and says when it does not exist or has no URL yet', async () => {
    const missing = io();
    const d = deps(undefined, recordingFetch().fetch);
    expect(await invokeCommand(['expenses', 'hi', '-n', 'team'], missing, d)).toBe(1);
    expect(d.asked).toEqual([{ namespace: 'team', name: 'expenses' }]);
    expect(missing.err).toContain('Agent team/expenses not found');

    const pending = io();
    const notReady = agent({ conditions: [{ type: 'Ready', status: 'False', reason: 'Progressing', message: '0/1 replicas ready' }] });
    expect(await invokeCommand(['expenses', 'hi', '-n', 'team'], pending, deps(notReady, recordingFetch().fetch))).toBe(1);
    expect(pending.err).toContain('has no URL in its status yet (Ready=False: 0/1 replicas ready)');
  });

  it('talks to status.publicUrl, else status.url (with a note), else --url without reading the Agent', async () => {
    const viaGateway = recordingFetch();
    const both = agent({ url: 'http://expenses.team.svc:8080/', publicUrl: 'http://127.0.0.1:8000/agents/team/expenses/' });
    const out = io();
    expect(await invokeCommand(['expenses', 'hi', '-n', 'team'], out, deps(both, viaGateway.fetch))).toBe(1);
    expect(viaGateway.urls[0]).toBe('http://127.0.0.1:8000/agents/team/expenses/.well-known/agent-card.json');
    expect(out.err).toMatch(/^agentry invoke: .*503/m);

    const inCluster = recordingFetch();
    const noGateway = io();
    expect(await invokeCommand(['expenses', 'hi'], noGateway, deps(agent({ url: 'http://expenses.team.svc:8080/' }), inCluster.fetch))).toBe(1);
    expect(inCluster.urls[0]).toBe('http://expenses.team.svc:8080/.well-known/agent-card.json');
    expect(noGateway.err).toContain('has no publicUrl');

    const explicit = recordingFetch();
    const d = deps(undefined, explicit.fetch);
    expect(await invokeCommand(['expenses', 'hi', '--url', 'http://127.0.0.1:9/a/'], io(), d)).toBe(1);
    expect(d.asked).toEqual([]);
    expect(explicit.urls[0]).toBe('http://127.0.0.1:9/a/.well-known/agent-card.json');
  });
});
