import { describe, expect, it } from '@jest/globals';
import { defaultOperatorConfig } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { computeAgentStatus, deploymentReport, type StatusInputs } from '../../../src/operator/agent-status.js';
import { mergeConditions } from '../../../src/operator/conditions.js';
import { routedCondition } from '../../../src/operator/routing.js';

const t0 = new Date('2026-11-21T10:00:00.123Z');
const t1 = new Date('2026-11-21T11:00:00Z');

const deployment = (spec: number, status: Record<string, unknown>, generation = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'a', namespace: 'ns', generation },
  spec: { replicas: spec },
  status: { observedGeneration: generation, ...status },
});

const inputs = (over: Partial<StatusInputs> = {}): StatusInputs => ({
  generation: 3,
  acceptance: { accepted: true },
  deployment: deployment(2, { replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 }),
  routed: undefined,
  url: 'http://a.ns.svc:8080/',
  publicUrl: undefined,
  applyError: undefined,
  ...over,
});

const ready = (i: StatusInputs) => computeAgentStatus(i, undefined, t0).conditions.find((c) => c.type === 'Ready');

describe('Agent status', () => {
  it('is the same at every step of a rollout: progress is not a transition, and no status write', () => {
    const steps = [
      { ...deployment(2, {}), status: {} }, // not observed yet
      deployment(2, { replicas: 2, updatedReplicas: 2 }),
      deployment(2, { replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 }),
      deployment(2, { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 }),
    ];
    const statuses = steps.map((d) => computeAgentStatus(inputs({ deployment: d }), undefined, t0));
    for (const status of statuses) {
      expect(status).toEqual(statuses[0]);
      expect(status).not.toHaveProperty('replicas'); // counts only once the rollout is over
    }
    expect(new Set(steps.map(deploymentReport)).size).toBe(1);
    const done = deployment(2, { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(deploymentReport(done)).not.toBe(deploymentReport(steps[0] as KubeObject));
    expect(computeAgentStatus(inputs({ deployment: done }), undefined, t0)).toMatchObject({ replicas: 2, readyReplicas: 2 });
    // Once Ready, a change of the counts is reported (and so changes the report).
    expect(deploymentReport(deployment(2, { replicas: 2, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 2 }))).not.toBe(deploymentReport(done));
    const stalled = deployment(2, { replicas: 2, availableReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'stuck' }] });
    expect(deploymentReport(stalled)).not.toBe(deploymentReport(steps[0] as KubeObject));
  });

  it('is Ready when every updated replica is available', () => {
    const status = computeAgentStatus(inputs(), undefined, t0);
    expect(status).toMatchObject({ observedGeneration: 3, url: 'http://a.ns.svc:8080/', replicas: 2, readyReplicas: 2 });
    expect(status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Accepted', 'True', 'Valid'],
      ['Ready', 'True', 'DeploymentAvailable'],
    ]);
    expect(status.conditions[0]?.lastTransitionTime).toBe('2026-11-21T10:00:00Z');
  });

  it('is not Ready during a rollout, before the Deployment controller caught up, or when stalled', () => {
    expect(ready(inputs({ deployment: deployment(2, { replicas: 3, availableReplicas: 2, updatedReplicas: 1 }) }))).toMatchObject({ status: 'False', reason: 'Progressing' });
    expect(ready(inputs({ deployment: { ...deployment(2, { availableReplicas: 2, updatedReplicas: 2 }), status: { observedGeneration: 1 } } }))).toMatchObject({ status: 'False', reason: 'Progressing' });
    expect(ready(inputs({ deployment: deployment(2, { availableReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'stuck' }] }) }))).toMatchObject({ status: 'False', reason: 'DeploymentUnavailable', message: 'stuck' });
    expect(ready(inputs({ deployment: undefined }))).toMatchObject({ status: 'False', reason: 'Progressing' });
  });

  it('reports a rejected spec on Accepted and Ready, without url', () => {
    const status = computeAgentStatus(inputs({ acceptance: { accepted: false, reason: 'ModelConfigNotFound', message: 'no ModelConfig "x"' } }), undefined, t0);
    expect(status.url).toBeUndefined();
    expect(status.conditions.find((c) => c.type === 'Accepted')).toMatchObject({ status: 'False', reason: 'ModelConfigNotFound', message: 'no ModelConfig "x"' });
    expect(status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NotAccepted' });
  });

  it('keeps lastTransitionTime while a status holds, moves it when the status flips, keeps foreign conditions', () => {
    const first = mergeConditions(undefined, [{ type: 'Ready', status: 'False', reason: 'Progressing', message: '0/1' }], t0);
    const foreign = { type: 'Example', status: 'True' as const, reason: 'X', message: '', lastTransitionTime: '2020-01-01T00:00:00Z' };
    const same = mergeConditions([...first, foreign], [{ type: 'Ready', status: 'False', reason: 'Progressing', message: '1/2' }], t1);
    expect(same[0]?.lastTransitionTime).toBe('2026-11-21T10:00:00Z');
    expect(same[1]).toEqual(foreign);
    const flipped = mergeConditions(same, [{ type: 'Ready', status: 'True', reason: 'DeploymentAvailable', message: '' }], t1);
    expect(flipped[0]?.lastTransitionTime).toBe('2026-11-21T11:00:00Z');
  });
});

describe('Routed', () => {
  const config = defaultOperatorConfig();
  const route: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'a', namespace: 'ns' } };
  const withParents = (parents: unknown[]): KubeObject => ({ ...route, status: { parents } });
  const parent = (controllerName: string, conditions: Record<string, string>[]) => ({ parentRef: { name: 'gw', namespace: 'gateway-system' }, controllerName, conditions });

  it('is False/ExposureDisabled without a route, Unknown until a gateway reports', () => {
    expect(routedCondition(undefined, undefined, config)).toMatchObject({ status: 'False', reason: 'ExposureDisabled' });
    expect(routedCondition(route, route, config)).toMatchObject({ status: 'Unknown', reason: 'GatewayNotReporting' });
  });

  it('mirrors the gateway: True when Accepted and ResolvedRefs, else its reason and message', () => {
    const ok = withParents([parent('x.dev/gw', [{ type: 'Accepted', status: 'True', reason: 'Accepted' }, { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' }])]);
    expect(routedCondition(route, ok, config)).toMatchObject({ status: 'True', reason: 'RouteAccepted' });
    const refused = withParents([parent('x.dev/gw', [{ type: 'Accepted', status: 'True', reason: 'Accepted' }, { type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted', message: 'no ReferenceGrant' }])]);
    expect(routedCondition(route, refused, config)).toMatchObject({ status: 'False', reason: 'RefNotPermitted' });
    expect(routedCondition(route, refused, config).message).toContain('no ReferenceGrant');
  });

  it("ignores a gateway's conditions for an older generation of the route", () => {
    const conditions = (observedGeneration: number) => [
      { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration },
      { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', observedGeneration },
    ];
    const at = (generation: number, observed: number): KubeObject => ({
      ...route,
      metadata: { ...route.metadata, generation },
      status: { parents: [{ ...parent('x.dev/gw', []), conditions: conditions(observed) }] },
    });
    // The route was just changed (generation 3): the gateway's Accepted is still about generation 2.
    expect(routedCondition(route, at(3, 2), config)).toEqual({
      status: 'Unknown',
      reason: 'GatewayNotReporting',
      message: 'gateway gateway-system/gw has not reported on generation 3 of the HTTPRoute yet (its Accepted is for generation 2)',
    });
    expect(routedCondition(route, at(3, 3), config)).toMatchObject({ status: 'True', reason: 'RouteAccepted' });
  });

  it('listens only to the configured gateway controller', () => {
    const other = withParents([parent('other.dev/gw', [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners' }])]);
    const filtered = { ...config, gateway: { ...config.gateway, controllerName: 'agentgateway.dev/agentgateway' } };
    expect(routedCondition(route, other, filtered)).toMatchObject({ status: 'Unknown', reason: 'GatewayNotReporting' });
    expect(routedCondition(route, other, config)).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
  });

  it('names the config field that fixes an UnsupportedProtocol', () => {
    const unsupported = (controllerName: string) =>
      withParents([
        parent(controllerName, [
          { type: 'Accepted', status: 'True', reason: 'Accepted' },
          { type: 'ResolvedRefs', status: 'False', reason: 'UnsupportedProtocol', message: 'Cannot load HTTPBackendRef ns/a: unsupported application protocol kgateway.dev/a2a' },
        ]),
      ]);
    const traefik = routedCondition(route, unsupported('traefik.io/gateway-controller'), config);
    expect(traefik).toMatchObject({ status: 'False', reason: 'UnsupportedProtocol' });
    expect(traefik.message).toContain('unsupported application protocol kgateway.dev/a2a');
    expect(traefik.message).toContain(`Traefik does not accept the agent Service's appProtocol "kgateway.dev/a2a": set the operator config's a2a.appProtocol to none`);
    expect(traefik.message).toContain('gateway.controllerName: traefik.io/gateway-controller with a2a.appProtocol: auto');
    const unknown = routedCondition(route, unsupported('example.com/gateway'), config).message;
    expect(unknown).toContain("set the operator config's a2a.appProtocol to one it accepts, or to none");
    // Other refusals get no such hint.
    const refused = withParents([parent('traefik.io/gateway-controller', [{ type: 'Accepted', status: 'True' }, { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound' }])]);
    expect(routedCondition(route, refused, config).message).not.toContain('a2a.appProtocol');
  });
});
