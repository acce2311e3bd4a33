// The Agent custom resource: one A2A agent, either run by Agentry's runtime from a declarative spec
// or brought by the user as an image (BYO).
import { z } from 'zod';

import { a2aConfigSchema } from './a2a-config.js';
import { agentDeploymentSchema } from './agent-deployment.js';
import { agentExposureSchema } from './agent-exposure.js';
import { agentToolsSchema } from './agent-tools.js';
import { celRule } from './cel-rule.js';
import { conditionsSchema } from './condition.js';
import { containerImage, imagePullPolicySchema } from './container-image.js';
import { AGENT_RESOURCE, GROUP_VERSION } from './group-version.js';
import { int32, int64 } from './integer-formats.js';
import { keySelectorSchema } from './key-selector.js';
import { dns1035Label, dns1123Subdomain } from './kubernetes-names.js';
import { objectMetaSchemaWithName } from './object-meta.js';

/**
 * Every child of an Agent is named exactly like it, and one of them is a Service, so the name must be
 * a DNS-1035 label. The Deployment's ReplicaSets are named `{agent}-{pod-template-hash}`, an
 * 11-character suffix (a dash and up to 10 characters); capping Agent names at 52 keeps those, and
 * every label value derived from them, within 63 characters.
 */
export const AGENT_NAME_MAX_LENGTH = 52;
export const agentNameSchema = dns1035Label(AGENT_NAME_MAX_LENGTH);

const systemMessageFromFields = z.object({
  configMapKeyRef: keySelectorSchema.optional().describe('A key of a ConfigMap in the same namespace.'),
  secretKeyRef: keySelectorSchema.optional().describe('A key of a Secret in the same namespace.'),
});

export const systemMessageFromSchema = systemMessageFromFields
  .check(
    celRule<z.output<typeof systemMessageFromFields>>({
      rule: 'has(self.configMapKeyRef) != has(self.secretKeyRef)',
      message: 'exactly one of configMapKeyRef or secretKeyRef must be set',
      holds: (s) => (s.configMapKeyRef === undefined) !== (s.secretKeyRef === undefined),
    }),
  )
  .describe('Reads the system message from a ConfigMap or Secret key.');

const declarativeFields = z.object({
  systemMessage: z.string().min(1).max(65536).optional().describe('The system message (instructions) of the agent.'),
  systemMessageFrom: systemMessageFromSchema.optional(),
  modelConfig: dns1123Subdomain().describe('Name of a ModelConfig in the same namespace.'),
  stream: z.boolean().optional().describe('Stream model responses to the client.'),
  tools: agentToolsSchema.optional(),
});

export const declarativeAgentSchema = declarativeFields
  .check(
    celRule<z.output<typeof declarativeFields>>({
      rule: 'has(self.systemMessage) != has(self.systemMessageFrom)',
      message: 'exactly one of systemMessage or systemMessageFrom must be set',
      holds: (d) => (d.systemMessage === undefined) !== (d.systemMessageFrom === undefined),
    }),
  )
  .describe("Required when type is Declarative: the agent runs on Agentry's runtime with this configuration.");
export type DeclarativeAgent = z.output<typeof declarativeAgentSchema>;

export const BYO_DEFAULT_PORT = 8080;

export const byoAgentSchema = z
  .object({
    image: containerImage().describe("The agent's image: an A2A server."),
    imagePullPolicy: imagePullPolicySchema.optional().describe('Always, IfNotPresent or Never.'),
    command: z.array(z.string().max(4096)).max(64).optional().describe("Entrypoint; the image's by default."),
    args: z.array(z.string().max(4096)).max(64).optional().describe("Arguments to the entrypoint; the image's by default."),
    port: int32().min(1).max(65535).default(BYO_DEFAULT_PORT).describe('Port the A2A server listens on.'),
  })
  .describe("Required when type is BYO: the user's own A2A server.");
export type ByoAgent = z.output<typeof byoAgentSchema>;

export const agentTypeSchema = z.enum(['Declarative', 'BYO']);
export type AgentType = z.output<typeof agentTypeSchema>;

const agentSpecFields = z.object({
  description: z.string().max(1024).optional().describe('What the agent does; published in its agent card.'),
  type: agentTypeSchema.describe('Declarative (run by the Agentry runtime) or BYO (your own image).'),
  declarative: declarativeAgentSchema.optional(),
  byo: byoAgentSchema.optional(),
  a2aConfig: a2aConfigSchema.optional(),
  deployment: agentDeploymentSchema.optional(),
  exposure: agentExposureSchema.optional(),
});
type AgentSpecFields = z.output<typeof agentSpecFields>;

export const agentSpecSchema = agentSpecFields
  .check(
    celRule<AgentSpecFields>({
      rule: "self.type != 'Declarative' || has(self.declarative)",
      message: 'declarative is required when type is Declarative',
      fieldPath: '.declarative',
      reason: 'FieldValueRequired',
      holds: (s) => s.type !== 'Declarative' || s.declarative !== undefined,
    }),
    celRule<AgentSpecFields>({
      rule: "self.type != 'BYO' || has(self.byo)",
      message: 'byo is required when type is BYO',
      fieldPath: '.byo',
      reason: 'FieldValueRequired',
      holds: (s) => s.type !== 'BYO' || s.byo !== undefined,
    }),
    celRule<AgentSpecFields>({
      rule: "self.type == 'Declarative' || !has(self.declarative)",
      message: 'declarative may only be set when type is Declarative',
      fieldPath: '.declarative',
      reason: 'FieldValueForbidden',
      holds: (s) => s.type === 'Declarative' || s.declarative === undefined,
    }),
    celRule<AgentSpecFields>({
      rule: "self.type == 'BYO' || !has(self.byo)",
      message: 'byo may only be set when type is BYO',
      fieldPath: '.byo',
      reason: 'FieldValueForbidden',
      holds: (s) => s.type === 'BYO' || s.byo === undefined,
    }),
    celRule<AgentSpecFields>({
      rule: "self.type == 'Declarative' || !has(self.deployment) || !has(self.deployment.image)",
      message: 'deployment.image may only be set when type is Declarative: it overrides the runtime image; a BYO agent sets byo.image',
      fieldPath: '.deployment.image',
      reason: 'FieldValueForbidden',
      holds: (s) => s.type === 'Declarative' || s.deployment?.image === undefined,
    }),
    celRule<AgentSpecFields>({
      rule: "self.type == 'Declarative' || !has(self.deployment) || !has(self.deployment.imagePullPolicy)",
      message: 'deployment.imagePullPolicy may only be set when type is Declarative; a BYO agent sets byo.imagePullPolicy',
      fieldPath: '.deployment.imagePullPolicy',
      reason: 'FieldValueForbidden',
      holds: (s) => s.type === 'Declarative' || s.deployment?.imagePullPolicy === undefined,
    }),
  )
  .describe('The desired state of the agent.');
export type AgentSpec = z.output<typeof agentSpecSchema>;

export const agentStatusSchema = z
  .object({
    observedGeneration: int64().min(0).optional().describe('The .metadata.generation the status was computed for.'),
    conditions: conditionsSchema.optional(),
    url: z.string().max(2048).optional().describe('In-cluster A2A endpoint of the agent.'),
    publicUrl: z.string().max(2048).optional().describe('Endpoint of the agent through the gateway, when it is routed.'),
    replicas: int32().min(0).optional().describe('Number of agent pods.'),
    readyReplicas: int32().min(0).optional().describe('Number of ready agent pods.'),
  })
  .describe('The observed state of the agent, written by the operator.');
export type AgentStatus = z.output<typeof agentStatusSchema>;

export const agentSchema = z.object({
  apiVersion: z.literal(GROUP_VERSION),
  kind: z.literal(AGENT_RESOURCE.kind),
  metadata: objectMetaSchemaWithName(agentNameSchema),
  spec: agentSpecSchema,
  status: agentStatusSchema.optional(),
});
export type Agent = z.output<typeof agentSchema>;
