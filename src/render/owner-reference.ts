// The controller ownerReference that ties a same-namespace child to its Agent, so that Kubernetes'
// garbage collector deletes the child with the Agent and the operator's watches map it back.
import { AGENT_RESOURCE, GROUP_VERSION } from '../api/group-version.js';
import type { OwnerReference } from '../kube/kube-object.js';

/** Undefined when the Agent has no uid yet (as in `agentry render` of a file): a reference needs one. */
export function agentOwnerReference(agent: { metadata: { name: string; uid?: string } }): OwnerReference | undefined {
  const { name, uid } = agent.metadata;
  if (uid === undefined || uid === '') return undefined;
  return { apiVersion: GROUP_VERSION, kind: AGENT_RESOURCE.kind, name, uid, controller: true, blockOwnerDeletion: true };
}
