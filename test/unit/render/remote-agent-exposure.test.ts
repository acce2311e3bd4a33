import { describe, expect, it } from '@jest/globals';

import type { RemoteAgentSpec } from '../../../src/api/remote-agent.js';
import { defaultOperatorConfig, type OperatorConfig } from '../../../src/config/operator-config.js';
import { RenderRejection } from '../../../src/render/render-result.js';
import { remoteAgentOwnerReference, remoteAgentRouteChildren, resolveRemoteAgentExposure } from '../../../src/render/remote-agent-exposure.js';

const ra = { name: 'echo', namespace: 'team-a' };
const owner = remoteAgentOwnerReference({ metadata: { name: 'echo', uid: 'uid-1' } }, 'agentry.dev/v1alpha1');

function config(gateway: Partial<OperatorConfig['gateway']> = {}, remoteAgents: Partial<OperatorConfig['remoteAgents']> = {}): OperatorConfig {
  const d = defaultOperatorConfig();
  return { ...d, gateway: { ...d.gateway, parentRefs: [{ name: 'gw', namespace: 'gateway' }], publicBaseUrl: 'https://agents.example.com', ...gateway }, remoteAgents: { ...d.remoteAgents, ...remoteAgents } };
}

const labels = (extra: Record<string, string> = {}) => ({
  'agentry.dev/agent': 'echo',
  'agentry.dev/owner-kind': 'RemoteAgent',
  'agentry.dev/owner-name': 'echo',
  'app.kubernetes.io/instance': 'echo',
  'app.kubernetes.io/managed-by': 'agentry',
  'app.kubernetes.io/name': 'echo',
  'app.kubernetes.io/part-of': 'agentry',
  ...extra,
});

function children(spec: RemoteAgentSpec, cfg: OperatorConfig) {
  const exposure = resolveRemoteAgentExposure(ra, spec, cfg);
  if (!exposure.routed) throw new Error(exposure.message);
  return remoteAgentRouteChildren({ ...ra, ownerReference: owner, spec, config: cfg, route: exposure.route });
}

describe('a RemoteAgent behind a Service, through the gateway', () => {
  it('is one HTTPRoute to the tenant Service, beside it, owned by the RemoteAgent', () => {
    const cfg = config();
    expect(resolveRemoteAgentExposure(ra, { service: { name: 'translator', port: 9000, path: '/a2a' } }, cfg)).toMatchObject({ routed: true, route: { publicUrl: 'https://agents.example.com/agents/team-a/echo/' } });
    expect(children({ service: { name: 'translator', port: 9000, path: '/a2a' } }, cfg)).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: {
          name: 'echo.team-a.remoteagent',
          namespace: 'team-a',
          labels: labels(),
          ownerReferences: [{ apiVersion: 'agentry.dev/v1alpha1', kind: 'RemoteAgent', name: 'echo', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'gateway' }],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/agents/team-a/echo' } }],
              filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/a2a' } } }],
              backendRefs: [{ group: '', kind: 'Service', name: 'translator', port: 9000, weight: 1 }],
            },
          ],
        },
      },
    ]);
  });

  it('beside the gateway: the route carries the owner uid, and a ReferenceGrant in the namespace names exactly the tenant Service', () => {
    const [grant, route] = children({ service: { name: 'translator', port: 9000 } }, config({ routeNamespace: 'gateway' }));
    expect(grant).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'echo.remoteagent', namespace: 'team-a', labels: labels(), ownerReferences: [expect.objectContaining({ kind: 'RemoteAgent', uid: 'uid-1' })] },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gateway' }], to: [{ group: '', kind: 'Service', name: 'translator' }] },
    });
    expect(route?.metadata).toEqual({
      name: 'echo.team-a.remoteagent',
      namespace: 'gateway',
      labels: labels({ 'agentry.dev/owner-namespace': 'team-a', 'agentry.dev/agent-namespace': 'team-a' }),
      annotations: { 'agentry.dev/owner-uid': 'uid-1' },
    });
    expect((route?.spec as { rules: { backendRefs: unknown[] }[] }).rules[0]?.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'translator', namespace: 'team-a', port: 9000, weight: 1 }]);
  });

  it('follows the Agent path rules: a custom prefix only where allowed', () => {
    const spec: RemoteAgentSpec = { service: { name: 'translator', port: 9000 }, exposure: { gateway: { pathPrefix: '/translate' } } };
    expect(() => resolveRemoteAgentExposure(ra, spec, config())).toThrow(RenderRejection);
    expect(() => resolveRemoteAgentExposure(ra, spec, config())).toThrow(/spec.exposure.gateway.pathPrefix/);
  });

  it('is not routed without a gateway, or when it opts out', () => {
    expect(resolveRemoteAgentExposure(ra, { service: { name: 's', port: 1 } }, config({ parentRefs: [] }))).toMatchObject({ routed: false, reason: 'ExposureDisabled' });
    expect(resolveRemoteAgentExposure(ra, { service: { name: 's', port: 1 }, exposure: { gateway: { enabled: false } } }, config())).toMatchObject({ routed: false, reason: 'ExposureDisabled' });
  });
});

describe('a RemoteAgent at a URL, through the gateway', () => {
  it('is not routed unless external backends are allowed', () => {
    expect(resolveRemoteAgentExposure(ra, { url: 'https://agents.example.net/a2a' }, config())).toMatchObject({ routed: false, reason: 'ExternalBackendsNotAllowed', message: expect.stringContaining('remoteAgents.allowExternalBackends') as unknown });
  });

  it('with them, is an ExternalName Service it owns and a route to it, rewritten to the URL path', () => {
    const [service, route] = children({ url: 'https://agents.example.net/a2a' }, config({}, { allowExternalBackends: true }));
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'echo', namespace: 'team-a', labels: labels(), ownerReferences: [expect.objectContaining({ kind: 'RemoteAgent' })] },
      spec: { type: 'ExternalName', externalName: 'agents.example.net', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
    });
    expect((route?.spec as { rules: unknown[] }).rules).toEqual([
      expect.objectContaining({
        filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/a2a' } } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'echo', port: 443, weight: 1 }],
      }),
    ]);
  });
});
