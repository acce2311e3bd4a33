// The contract between the rendered pod and what runs in it (Agentry's runtime, or a BYO image):
// ports, file locations and environment variable names. Changing any of these is a breaking change
// for the runtime image, so they live in one place.

/** Port of every agent Service, and the port the Agentry runtime listens on. */
export const AGENT_SERVICE_PORT = 8080;

/** Name of the container port (and the Service's targetPort), so a BYO port change never touches the Service. */
export const AGENT_PORT_NAME = 'http';

export const AGENT_CONTAINER_NAME = 'agent';

/** Where the ConfigMap is mounted, read-only. */
export const CONFIG_MOUNT_PATH = '/etc/agentry';
export const CONFIG_VOLUME_NAME = 'config';

/**
 * Where the CA bundles of RemoteAgent tools (their spec.tls.caBundle ConfigMap keys) are mounted,
 * read-only, one file per tool (toolCaFile): the runtime adds them to the CAs it trusts.
 */
export const TOOL_CA_MOUNT_PATH = '/etc/agentry-tool-ca';
export const TOOL_CA_VOLUME_NAME = 'tool-ca';

/** The file of tool `tool`'s (its index in spec.declarative.tools) CA bundle, under TOOL_CA_MOUNT_PATH. */
export function toolCaFile(tool: number): string {
  return `tool-${tool}.pem`;
}

/** A writable scratch directory: the root filesystem is read-only. */
export const TMP_MOUNT_PATH = '/tmp';
export const TMP_VOLUME_NAME = 'tmp';

/** ConfigMap key (and file under CONFIG_MOUNT_PATH) of the resolved runtime configuration. */
export const AGENT_CONFIG_KEY = 'agent.json';
/** ConfigMap key (and file under CONFIG_MOUNT_PATH) of the A2A agent card. */
export const AGENT_CARD_KEY = 'agent-card.json';

/** Where an A2A server publishes its card; also the readiness probe of A2A agents. */
export const AGENT_CARD_WELL_KNOWN_PATH = '/.well-known/agent-card.json';

/** Environment variables the operator sets on the agent container. */
export const AGENT_ENV = {
  agentName: 'AGENTRY_AGENT_NAME',
  agentNamespace: 'AGENTRY_AGENT_NAMESPACE',
  /** The model API key, from the ModelConfig's apiKeySecret (a secretKeyRef: the value never leaves the Secret). */
  modelApiKey: 'AGENTRY_MODEL_API_KEY',
  /** The system message, from systemMessageFrom (a configMapKeyRef or secretKeyRef). */
  systemMessage: 'AGENTRY_SYSTEM_MESSAGE',
} as const;

/**
 * The variable carrying header `header` of tool `tool` (indexes in spec.declarative.tools and its
 * headersFrom), a secretKeyRef: agent.json names it, the runtime reads it.
 */
export function toolHeaderEnv(tool: number, header: number): string {
  return `AGENTRY_TOOL_${tool}_HEADER_${header}`;
}

/** Pod template annotation holding a hash of the ConfigMap's data, so that config edits roll the pods. */
export const CONFIG_HASH_ANNOTATION = 'agentry.dev/config-hash';
