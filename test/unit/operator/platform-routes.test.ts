// The paths a platform's HTTPRoute claims on the configured Gateways (src/operator/platform-routes.ts).
import { describe, expect, it } from '@jest/globals';

import { OWNER_UID_ANNOTATION } from '../../../src/api/group-version.js';
import { defaultOperatorConfig } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { platformClaimsOf, platformRouteProjection } from '../../../src/operator/platform-routes.js';

const gateway = { ...defaultOperatorConfig().gateway, parentRefs: [{ name: 'gw', namespace: 'gateway', sectionName: 'https' }] };
const route = (spec: Record<string, unknown>, metadata: Partial<KubeObject['metadata']> = {}): KubeObject =>
  platformRouteProjection({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'api', namespace: 'gateway', uid: 'u', resourceVersion: '1', ...metadata }, spec });
const paths = (r: KubeObject) => platformClaimsOf(r, gateway).map((c) => c.path);

describe('platform routes', () => {
  it('claim the PathPrefix paths of a route on a configured Gateway, and / for a rule without matches', () => {
    const r = route({
      parentRefs: [{ name: 'gw' }],
      hostnames: ['www.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }, { path: { type: 'Exact', value: '/health' } }, { headers: [{ name: 'x', value: 'y' }] }] }, { backendRefs: [] }],
    });
    expect(platformClaimsOf(r, gateway)).toEqual([
      { route: { namespace: 'gateway', name: 'api' }, path: '/api', hostnames: ['www.example.com'] },
      { route: { namespace: 'gateway', name: 'api' }, path: '/', hostnames: ['www.example.com'] },
    ]);
  });

  it('claim nothing on another Gateway, another listener or port, nor for a route an Agent owns', () => {
    const rules = [{ matches: [{ path: { value: '/api' } }] }];
    expect(paths(route({ parentRefs: [{ name: 'other' }], rules }))).toEqual([]);
    expect(paths(route({ parentRefs: [{ name: 'gw', namespace: 'elsewhere' }], rules }))).toEqual([]);
    expect(paths(route({ parentRefs: [{ name: 'gw', sectionName: 'http' }], rules }))).toEqual([]);
    expect(paths(route({ parentRefs: [{ name: 'gw', sectionName: 'https' }], rules }))).toEqual(['/api']);
    expect(paths(route({ parentRefs: [{ name: 'gw', kind: 'Service', group: '' }], rules }))).toEqual([]);
    expect(paths(route({ parentRefs: [{ name: 'gw' }], rules }, { annotations: { [OWNER_UID_ANNOTATION]: 'agent-uid' } }))).toEqual([]);
    const agentOwner = { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', name: 'a', uid: 'u', controller: true };
    expect(paths(route({ parentRefs: [{ name: 'gw' }], rules }, { ownerReferences: [agentOwner] }))).toEqual([]);
  });

  it('are cached cut down, however large the route', () => {
    const big = route({ parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { value: '/api' } }], filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: 'y'.repeat(100_000) }] } }] }] });
    expect(JSON.stringify(big).length).toBeLessThan(400);
  });
});
