// kagent's API group and the versions of it this converter reads: kagent's own `kagent.dev/v1alpha2`
// (Agent, ModelConfig, RemoteMCPServer) and the MCPServer of kmcp, which kagent installs alongside
// itself (`kagent.dev/v1alpha1`; kagent's tree also carries a v1alpha2 copy of it).
export const KAGENT_GROUP = 'kagent.dev';
export const KAGENT_V1ALPHA2 = `${KAGENT_GROUP}/v1alpha2`;
export const KMCP_VERSIONS: readonly string[] = [`${KAGENT_GROUP}/v1alpha1`, KAGENT_V1ALPHA2];

/** kagent's default when an Agent names no ModelConfig (`DeclarativeAgentSpec.ModelConfig`). */
export const KAGENT_DEFAULT_MODEL_CONFIG = 'default-model-config';
/** The port kmcp's MCPServer CRD defaults `spec.deployment.port` to. */
export const KMCP_DEFAULT_PORT = 3000;
