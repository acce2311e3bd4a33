// The fence around the operator (src/operator/fence-policy.ts) as the chart and the kustomize base
// ship it: a ValidatingAdmissionPolicy and its binding, matching exactly the operator's
// ServiceAccount and naming its Lease. What it refuses on a real API server: tenant-safety.test.ts.
import { beforeAll, describe, expect, it } from '@jest/globals';

import type { KubeObject } from '../../../src/kube/kube-object.js';
import { helmBinary, helmTemplate } from './support/helm.js';
import { kustomizeBinary, kustomizeBuild } from './support/kustomize.js';

const VAP = 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
const fenceOf = (objects: KubeObject[]) => objects.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy'));
const expressions = (policy: KubeObject | undefined): string => JSON.stringify((policy?.spec as Record<string, unknown> | undefined) ?? {});

beforeAll(async () => {
  await Promise.all([helmBinary(), kustomizeBinary()]);
}, 600_000);

describe('the fence', () => {
  it('is rendered by the chart by default where the API server serves ValidatingAdmissionPolicy, bound to the release ServiceAccount', async () => {
    const fence = fenceOf(await helmTemplate({ release: 'agentry', namespace: 'ops', apiVersions: [VAP] }));
    expect(fence.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(['ValidatingAdmissionPolicy agentry-fence', 'ValidatingAdmissionPolicyBinding agentry-fence']);
    const [policy, binding] = fence;
    expect(binding?.spec).toEqual({ policyName: 'agentry-fence', validationActions: ['Deny'] });
    expect((policy?.spec as { matchConditions: unknown }).matchConditions).toEqual([{ name: 'the-operator', expression: "request.userInfo.username == 'system:serviceaccount:ops:agentry'" }]);
    expect(expressions(policy)).toContain("request.namespace != 'ops'");
    expect(expressions(policy)).toContain("request.name == 'agentry-leader'");
  });

  it('follows a configured Lease, and is left out with fence.enabled=false or where the API is not served', async () => {
    const leased = fenceOf(await helmTemplate({ apiVersions: [VAP], setJson: { 'config.leaderElection.leaseName': 'mine', 'config.leaderElection.leaseNamespace': 'leases' } }));
    expect(expressions(leased[0])).toContain("request.namespace == 'leases' && request.name == 'mine'");
    expect(fenceOf(await helmTemplate({ apiVersions: [VAP], setJson: { 'fence.enabled': false } }))).toEqual([]);
    expect(fenceOf(await helmTemplate({}))).toEqual([]);
  });

  it('is in the kustomize base, for the ServiceAccount agentry in agentry-system', async () => {
    const fence = fenceOf(await kustomizeBuild('config/default'));
    expect(fence.map((o) => o.kind)).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(expressions(fence[0])).toContain('system:serviceaccount:agentry-system:agentry');
  });
});
