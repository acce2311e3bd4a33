import { describe, expect, it } from '@jest/globals';

import type { RemoteAgentSpec } from '../../../../src/api/remote-agent.js';
import { defaultOperatorConfig } from '../../../../src/config/operator-config.js';
import type { KubeObject } from '../../../../src/kube/kube-object.js';
import type { ObjectLookup } from '../../../../src/operator/informer-set.js';
import { remoteAgentNamedBy, remoteAgentRouteClaimOf, remoteAgentsByService } from '../../../../src/operator/remote-agent/remote-agent-controller.js';
import { parseHostPolicy } from '../../../../src/operator/remote-agent/host-policy.js';
import { resolveRemoteEndpoint } from '../../../../src/operator/remote-agent/remote-agent-endpoint.js';

const ra = { name: 'echo', namespace: 'team-a' };
const remote = defaultOperatorConfig().remoteAgents;

function services(...list: KubeObject[]): ObjectLookup {
  return {
    get: (namespace, name) => list.find((s) => s.metadata.namespace === namespace && s.metadata.name === name),
    list: () => list,
  };
}
const service = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'team-a' }, spec });
const resolve = (spec: RemoteAgentSpec, lookup = services(), config = remote, patterns: string[] = config.allowedHosts) => resolveRemoteEndpoint(ra, spec, lookup, config, parseHostPolicy(patterns));

describe('the endpoint of a RemoteAgent behind a Service', () => {
  it('is the Service DNS name, connected to at its ClusterIP and port', () => {
    const result = resolve({ service: { name: 'translator', port: 9000, path: '/a2a' } }, services(service('translator', { clusterIP: '10.96.0.7', ports: [{ port: 9000 }] })));
    expect(result).toEqual({
      ok: true,
      endpoint: { url: 'http://translator.team-a.svc:9000/a2a', cardUrl: new URL('http://translator.team-a.svc:9000/a2a/.well-known/agent-card.json'), connectTo: { host: '10.96.0.7', port: 9000 }, allowHttp: true },
    });
  });

  it('is reached by name when headless', () => {
    const result = resolve({ service: { name: 'translator', port: 9000 } }, services(service('translator', { clusterIP: 'None', ports: [{ port: 9000 }] })));
    expect(result.ok && result.endpoint.connectTo).toBeUndefined();
  });

  it('names the field when the Service or its port is missing', () => {
    expect(resolve({ service: { name: 'translator', port: 9000 } })).toEqual({ ok: false, reason: 'ServiceNotFound', message: 'spec.service.name: no Service "translator" in namespace team-a' });
    expect(resolve({ service: { name: 'translator', port: 9000 } }, services(service('translator', { clusterIP: '10.96.0.7', ports: [{ port: 80 }, { port: 443 }] })))).toEqual({
      ok: false,
      reason: 'ServicePortNotFound',
      message: 'spec.service.port: the Service "translator" has no port 9000 (its ports: 80, 443)',
    });
  });

  it('refuses an ExternalName Service: it would route around allowedHosts', () => {
    const result = resolve({ service: { name: 'metadata', port: 80 } }, services(service('metadata', { type: 'ExternalName', externalName: '169.254.169.254', ports: [{ port: 80 }] })));
    expect(result).toMatchObject({ ok: false, reason: 'ServiceNotFound', message: expect.stringContaining('ExternalName') as unknown });
  });
});

describe('the endpoint of a RemoteAgent at a URL', () => {
  it('is refused on every host by default', () => {
    expect(resolve({ url: 'https://agents.example.com/a2a' })).toMatchObject({ ok: false, reason: 'HostNotAllowed', message: expect.stringMatching(/^spec\.url: /) as unknown });
  });

  it('is accepted on an allowed host, with the policy kept for the address check at connect time', () => {
    const result = resolve({ url: 'https://a.agents.example.com/a2a?tenant=x' }, services(), remote, ['*.agents.example.com']);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.endpoint.url).toBe('https://a.agents.example.com/a2a?tenant=x');
    expect(result.endpoint.cardUrl.href).toBe('https://a.agents.example.com/a2a/.well-known/agent-card.json');
    expect(result.endpoint.hostPolicy?.patterns).toEqual(['*.agents.example.com']);
    expect(result.endpoint.connectTo).toBeUndefined();
  });

  it('is refused over http unless http is allowed', () => {
    expect(resolve({ url: 'http://agents.example.com/' }, services(), remote, ['agents.example.com'])).toMatchObject({ ok: false, reason: 'InsecureScheme' });
    expect(resolve({ url: 'http://agents.example.com/' }, services(), { ...remote, allowHttp: true }, ['agents.example.com'])).toMatchObject({ ok: true });
  });
});

describe('how RemoteAgents are found from events', () => {
  const obj = (name: string, namespace = 'team-a'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace } });

  it('maps child names back: the route beside the gateway, the grant, the ExternalName Service', () => {
    expect(remoteAgentNamedBy(obj('echo.team-a.remoteagent', 'gateway'))).toEqual({ namespace: 'team-a', name: 'echo' });
    expect(remoteAgentNamedBy(obj('echo.remoteagent'))).toEqual({ namespace: 'team-a', name: 'echo' });
    expect(remoteAgentNamedBy(obj('echo'))).toEqual({ namespace: 'team-a', name: 'echo' });
    // An Agent's route beside the gateway is not a RemoteAgent's.
    expect(remoteAgentNamedBy(obj('echo.team-a', 'gateway'))).toBeUndefined();
  });

  it('indexes a RemoteAgent by the Service it names', () => {
    expect(remoteAgentsByService({ apiVersion: 'agentry.dev/v1alpha1', kind: 'RemoteAgent', metadata: { name: 'echo', namespace: 'team-a' }, spec: { service: { name: 'translator', port: 1 } } })).toEqual(['team-a/translator']);
    expect(remoteAgentsByService({ apiVersion: 'agentry.dev/v1alpha1', kind: 'RemoteAgent', metadata: { name: 'echo', namespace: 'team-a' }, spec: { url: 'https://x/' } })).toEqual([]);
  });

  it('claims the path its route would have, as a RemoteAgent', () => {
    const d = defaultOperatorConfig();
    const config = { ...d, gateway: { ...d.gateway, parentRefs: [{ name: 'gw', namespace: 'gateway' }] } };
    const claim = remoteAgentRouteClaimOf({ apiVersion: 'agentry.dev/v1alpha1', kind: 'RemoteAgent', metadata: { name: 'echo', namespace: 'team-a', creationTimestamp: '2026-12-01T00:00:00Z' }, spec: { service: { name: 's', port: 1 } } }, config);
    expect(claim).toEqual({ agent: { kind: 'RemoteAgent', namespace: 'team-a', name: 'echo' }, path: '/agents/team-a/echo', hostnames: [], createdAt: '2026-12-01T00:00:00Z' });
    expect(remoteAgentRouteClaimOf({ apiVersion: 'agentry.dev/v1alpha1', kind: 'RemoteAgent', metadata: { name: 'echo', namespace: 'team-a' }, spec: { url: 'https://x/' } }, config)).toBeUndefined();
  });
});
