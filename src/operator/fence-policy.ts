// The fence around the operator itself, defence in depth beside its RBAC and its own write decision:
// a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) bound to the operator's
// ServiceAccount that lets it write only
//   - objects carrying its managed-by label (a create), or that were its own before (an update or
//     delete: the label, or a controller ownerReference to an Agent, or the owner-uid annotation),
//   - Agents and RemoteAgents (their finalizer and status), and Events,
//   - its Lease, by name, in the Lease's namespace,
// and nothing in kube-system, nor in its own namespace but its Lease and Events. A bug, or a stolen
// token, cannot make it write over what it did not create. `npm run generate` (hack/generate-rbac.ts)
// writes the chart's template (with Helm expressions for the names) and the kustomize base from this.
import { API_GROUP, LABEL_KEYS, MANAGED_BY, OWNER_UID_ANNOTATION } from '../api/group-version.js';

export interface FenceParameters {
  /** Name of the policy and its binding. */
  name: string;
  /** The operator's ServiceAccount, `system:serviceaccount:<namespace>:<name>`. */
  serviceAccountUser: string;
  operatorNamespace: string;
  leaseNamespace: string;
  leaseName: string;
}

/** A CEL string literal of a Kubernetes name (or a Helm expression that renders one): no quote to escape. */
const lit = (s: string): string => `'${s}'`;

export function fencePolicy(p: FenceParameters): Record<string, unknown>[] {
  const managedBy = `'${LABEL_KEYS.managedBy}'`;
  const ours = (o: string) => `(has(${o}.metadata.labels) && ${managedBy} in ${o}.metadata.labels && ${o}.metadata.labels[${managedBy}] == '${MANAGED_BY}')`;
  const owned = (o: string) =>
    `(${ours(o)} || (has(${o}.metadata.ownerReferences) && ${o}.metadata.ownerReferences.exists(r, (r.kind == 'Agent' || r.kind == 'RemoteAgent') && r.apiVersion.startsWith('${API_GROUP}/') && has(r.controller) && r.controller)) || (has(${o}.metadata.annotations) && '${OWNER_UID_ANNOTATION}' in ${o}.metadata.annotations))`;
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: p.name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['*/*'], scope: '*' }],
      },
      matchConditions: [{ name: 'the-operator', expression: `request.userInfo.username == ${lit(p.serviceAccountUser)}` }],
      variables: [
        { name: 'lease', expression: "request.resource.group == 'coordination.k8s.io' && request.resource.resource == 'leases'" },
        { name: 'event', expression: "request.resource.resource == 'events' && (request.resource.group == '' || request.resource.group == 'events.k8s.io')" },
        { name: 'agent', expression: `request.resource.group == '${API_GROUP}' && request.resource.resource in ['agents', 'remoteagents']` },
        // Evaluated only where referenced: object is null for a DELETE, oldObject for a CREATE.
        { name: 'labelled', expression: ours('object') },
        { name: 'wasOurs', expression: owned('oldObject') },
      ],
      validations: [
        { expression: "request.namespace != 'kube-system'", message: 'the Agentry operator never writes in kube-system' },
        {
          expression: `request.namespace != ${lit(p.operatorNamespace)} || variables.event || (variables.lease && request.namespace == ${lit(p.leaseNamespace)})`,
          message: "in its own namespace the Agentry operator writes only its Lease and Events",
        },
        {
          expression: `!variables.lease || (request.namespace == ${lit(p.leaseNamespace)} && request.name == ${lit(p.leaseName)})`,
          message: 'the Agentry operator writes only its own Lease',
        },
        {
          expression: "variables.event || variables.lease || variables.agent || (request.operation == 'CREATE' ? variables.labelled : request.operation == 'DELETE' ? variables.wasOurs : variables.wasOurs && variables.labelled)",
          message: `the Agentry operator writes only objects it made: labelled ${LABEL_KEYS.managedBy}=${MANAGED_BY}, or owned by an Agent or RemoteAgent`,
        },
      ],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: p.name },
    spec: { policyName: p.name, validationActions: ['Deny'] },
  };
  return [policy, binding];
}
