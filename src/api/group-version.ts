// Names that identify Agentry's API on the cluster. Everything that has to agree with the CRDs
// (the generator, the operator's clients, RBAC rendering, tests) reads them from here.

export const API_GROUP = 'agentry.dev';
export const API_VERSION = 'v1alpha1';
export const GROUP_VERSION = `${API_GROUP}/${API_VERSION}` as const;

/** Every Agentry CRD joins this category, so `kubectl get agentry` lists all of them. */
export const API_CATEGORIES: readonly string[] = ['agentry'];

export interface ResourceNames {
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
}

export const AGENT_RESOURCE = {
  kind: 'Agent',
  listKind: 'AgentList',
  plural: 'agents',
  singular: 'agent',
  shortNames: ['agt'],
} as const satisfies ResourceNames;

export const MODEL_CONFIG_RESOURCE = {
  kind: 'ModelConfig',
  listKind: 'ModelConfigList',
  plural: 'modelconfigs',
  singular: 'modelconfig',
  shortNames: ['mc'],
} as const satisfies ResourceNames;

export const REMOTE_AGENT_RESOURCE = {
  kind: 'RemoteAgent',
  listKind: 'RemoteAgentList',
  plural: 'remoteagents',
  singular: 'remoteagent',
  shortNames: ['ra'],
} as const satisfies ResourceNames;

/**
 * Set on every Agent while it has children the operator must delete itself: objects in another
 * namespace (an HTTPRoute beside the gateway) cannot carry an ownerReference to the Agent.
 */
export const CLEANUP_FINALIZER = 'agentry.dev/cleanup';

/** Labels on every child object. The operator selects its children by them. */
export const LABEL_KEYS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  /**
   * The kind of the object that owns the child (`Agent`), and its name: how a child's events reach
   * its owner's controller (the Manager's Owns), whichever kind owns it, so another kind can own
   * children without touching the Agent's.
   */
  ownerKind: 'agentry.dev/owner-kind',
  ownerName: 'agentry.dev/owner-name',
  /** The owner's namespace, on children that live in another namespace. */
  ownerNamespace: 'agentry.dev/owner-namespace',
  /**
   * The owning Agent's name: in the pod selector (which a Deployment cannot change), and the only
   * owner label of children made before the owner-kind labels, which are still mapped by it.
   */
  agent: 'agentry.dev/agent',
  /** The owning Agent's namespace, for children that live in another namespace (as agent, kept for older children). */
  agentNamespace: 'agentry.dev/agent-namespace',
} as const;

/** The `agentry.dev/owner-kind` of an Agent's children. */
export const AGENT_OWNER_KIND = 'Agent';

/** The `agentry.dev/owner-kind` of a RemoteAgent's children. */
export const REMOTE_AGENT_OWNER_KIND = 'RemoteAgent';

/**
 * On a child in another namespace (an HTTPRoute beside the gateway), which cannot carry an
 * ownerReference: the uid of the Agent that owns it. The operator patches and deletes such a child
 * only when this names the Agent's uid; labels alone (which anyone may set) never make it the Agent's.
 */
export const OWNER_UID_ANNOTATION = 'agentry.dev/owner-uid';

/** Value of `app.kubernetes.io/managed-by` and `app.kubernetes.io/part-of` on children. */
export const MANAGED_BY = 'agentry';

/**
 * Labels an Agent's `deployment.podLabels` may not set: the operator's selectors depend on them, and
 * an Agent that could set them could make its pods look like another Agent's (and receive its traffic).
 */
export const RESERVED_POD_LABEL_KEYS: readonly string[] = [
  LABEL_KEYS.name,
  LABEL_KEYS.instance,
  LABEL_KEYS.managedBy,
  LABEL_KEYS.partOf,
  LABEL_KEYS.agent,
  LABEL_KEYS.agentNamespace,
];
