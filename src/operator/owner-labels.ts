// How an Agent's children reach the Agent controller: the kind-qualified owner labels render puts on
// every child (agentry.dev/owner-kind: Agent, owner-name, and owner-namespace across namespaces),
// and, for children made before those labels existed, the Agent-only agentry.dev/agent label.
import { AGENT_OWNER_KIND, LABEL_KEYS } from '../api/group-version.js';
import { enqueueForLabelledOwner, type RequestMapper } from '../controller/event-mappers.js';
import type { KubeObject } from '../kube/kube-object.js';

export const OWNER_LABEL_KEYS = { kind: LABEL_KEYS.ownerKind, name: LABEL_KEYS.ownerName, namespace: LABEL_KEYS.ownerNamespace } as const;

const byOwnerLabels = enqueueForLabelledOwner(AGENT_OWNER_KIND, OWNER_LABEL_KEYS);

/** The Agent a child's labels name: by its owner labels, or (an older child, with none) by agentry.dev/agent. */
export const toOwningAgent: RequestMapper<KubeObject> = (child) => {
  const labels = child.metadata.labels;
  if (labels?.[LABEL_KEYS.ownerKind] !== undefined) return byOwnerLabels(child);
  const name = labels?.[LABEL_KEYS.agent];
  return name ? [{ namespace: labels[LABEL_KEYS.agentNamespace] ?? child.metadata.namespace, name }] : [];
};
