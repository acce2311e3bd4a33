// The node agent's two pure parts: a pod turned into a local program (files, args, environment, as a
// kubelet would resolve them), and the svc-dns.mjs preload that resolves in-cluster Service names to
// loopback ClusterIPs for the runtime processes (checked with Node's own fetch and http, in a child).
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expand, podProgram, PodProgramError, type ObjectSource, type Pod } from '../../harness/local-pods/pod-program.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const configMaps: Record<string, Record<string, string>> = {
  'team/expenses': { 'agent.json': '{"a":1}', 'agent-card.json': '{"card":true}' },
  'team/prompts': { system: 'Be brief.', extra: 'x' },
};
const secrets: Record<string, Record<string, string>> = { 'team/openai': { 'api-key': b64('sk-123'), other: b64('y') } };
const source: ObjectSource = {
  configMap: (ns, name) => {
    const data = configMaps[`${ns}/${name}`];
    return Promise.resolve(data === undefined ? undefined : { data });
  },
  secret: (ns, name) => {
    const data = secrets[`${ns}/${name}`];
    return Promise.resolve(data === undefined ? undefined : { data });
  },
};

function pod(container: Record<string, unknown>, volumes: unknown[] = [{ name: 'config', configMap: { name: 'expenses' } }, { name: 'tmp', emptyDir: {} }]): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'expenses-abc', namespace: 'team', uid: 'u-1', labels: { app: 'x' } },
    spec: {
      nodeName: 'local',
      containers: [
        {
          name: 'agent',
          args: ['--config', '/etc/agentry/agent.json', '--agent-card=/etc/agentry/agent-card.json', '--log-level', 'info'],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/agentry', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
          ...container,
        },
      ],
      volumes: volumes as Pod['spec']['volumes'],
    },
  };
}

const first = (p: Pod) => {
  const c = p.spec.containers[0];
  if (c === undefined) throw new Error('no container');
  return c;
};

describe('podProgram', () => {
  it('writes the mounted ConfigMap under root and points the args at it', async () => {
    const p = pod({});
    const program = await podProgram(p, first(p), '/work/pod', source);
    expect(program.args).toEqual(['--config', '/work/pod/etc/agentry/agent.json', '--agent-card=/work/pod/etc/agentry/agent-card.json', '--log-level', 'info']);
    expect(program.files.map((f) => [f.path, f.content.toString()])).toEqual([
      ['/work/pod/etc/agentry/agent.json', '{"a":1}'],
      ['/work/pod/etc/agentry/agent-card.json', '{"card":true}'],
    ]);
    expect(program.dirs).toEqual(['/work/pod/etc/agentry', '/work/pod/tmp']);
  });

  it('resolves the environment as a kubelet does: envFrom, then env with refs, fieldRefs and $(VAR)', async () => {
    const p = pod({
      envFrom: [{ prefix: 'P_', configMapRef: { name: 'prompts' } }],
      env: [
        { name: 'AGENTRY_AGENT_NAME', value: 'expenses' },
        { name: 'AGENTRY_MODEL_API_KEY', valueFrom: { secretKeyRef: { name: 'openai', key: 'api-key' } } },
        { name: 'AGENTRY_SYSTEM_MESSAGE', valueFrom: { configMapKeyRef: { name: 'prompts', key: 'system' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'GREETING', value: 'hi $(AGENTRY_AGENT_NAME) $$(NOT) $(UNKNOWN)' },
        { name: 'P_extra', value: 'overridden' },
        { name: 'MAYBE', valueFrom: { secretKeyRef: { name: 'openai', key: 'missing', optional: true } } },
      ],
    });
    const { env } = await podProgram(p, first(p), '/r', source);
    expect(env).toEqual({
      P_system: 'Be brief.',
      P_extra: 'overridden',
      AGENTRY_AGENT_NAME: 'expenses',
      AGENTRY_MODEL_API_KEY: 'sk-123',
      AGENTRY_SYSTEM_MESSAGE: 'Be brief.',
      POD: 'expenses-abc',
      APP: 'x',
      GREETING: 'hi expenses $(NOT) $(UNKNOWN)',
    });
  });

  it('refuses what it cannot do like a kubelet, and says what is missing', async () => {
    const cases: [Pod, RegExp][] = [
      [pod({ env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } }] }), /Secret team\/absent has no key k/],
      [pod({}, [{ name: 'config', configMap: { name: 'absent' } }, { name: 'tmp', emptyDir: {} }]), /ConfigMap team\/absent not found/],
      [pod({}, [{ name: 'config', projected: { sources: [] } }, { name: 'tmp', emptyDir: {} }]), /only configMap, secret and emptyDir volumes/],
      [pod({ volumeMounts: [{ name: 'config', mountPath: '/etc/agentry', subPath: 'agent.json' }] }), /subPath is not supported/],
      [pod({ env: [{ name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] }), /only value, secretKeyRef, configMapKeyRef and fieldRef/],
    ];
    for (const [p, message] of cases) await expect(podProgram(p, first(p), '/r', source)).rejects.toThrow(message);
    await expect(podProgram(cases[0]?.[0] ?? pod({}), first(cases[0]?.[0] ?? pod({})), '/r', source)).rejects.toBeInstanceOf(PodProgramError);
  });

  it('expands $(VAR) like Kubernetes', () => {
    expect(expand('$(A)-$(B)-$$(A)-$(C)', { A: '1', B: '2' })).toBe('1-2-$(A)-$(C)');
  });
});

describe('svc-dns.mjs', () => {
  it("resolves x.ns.svc and x.ns.svc.cluster.local from the table for Node's fetch and http, loopback only", () => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-dns-'));
    const hosts = join(dir, 'hosts.json');
    writeFileSync(hosts, JSON.stringify({ 'mcp.team.svc': '127.96.250.9', 'mcp.team.svc.cluster.local': '127.96.250.9', 'far.team.svc': '10.0.0.1' }));
    const script = `
      import http from 'node:http';
      const server = http.createServer((req, res) => res.end('reached ' + req.headers.host));
      await new Promise((r) => server.listen(0, '127.96.250.9', r));
      const port = server.address().port;
      const out = [];
      out.push(await (await fetch('http://mcp.team.svc:' + port + '/')).text());
      out.push(await (await fetch('http://MCP.team.svc.cluster.local.:' + port + '/')).text());
      out.push(await new Promise((r) => http.get('http://mcp.team.svc:' + port + '/', (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => r(b)); })));
      for (const name of ['far.team.svc', 'absent.team.svc']) {
        out.push(await fetch('http://' + name + ':' + port + '/').then(() => 'reached', (e) => name + ': ' + e.cause?.code));
      }
      server.close();
      console.log(JSON.stringify(out));
    `;
    const preload = new URL('../../harness/local-pods/svc-dns.mjs', import.meta.url);
    preload.searchParams.set('hosts', hosts);
    const res = spawnSync(process.execPath, ['--import', preload.href, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout) as string[];
    expect(out[0]).toMatch(/^reached mcp\.team\.svc:\d+$/);
    expect(out[1]).toMatch(/^reached mcp\.team\.svc\.cluster\.local\.:\d+$/);
    expect(out[2]).toMatch(/^reached mcp\.team\.svc:\d+$/);
    // Outside loopback, and unknown: ENOTFOUND, as a missing DNS name would be.
    expect(out.slice(3)).toEqual(['far.team.svc: ENOTFOUND', 'absent.team.svc: ENOTFOUND']);
  });
});
