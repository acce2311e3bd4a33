// The RemoteAgent custom resource: an A2A server Agentry does not run (in the cluster behind a
// Service, or outside it at a URL). The operator reads its agent card, publishes its skills in
// status, and can route it through the gateway like an Agent.
import { z } from 'zod';

import { gatewayExposureSchema } from './agent-exposure.js';
import { headerFromSecretSchema } from './agent-tools.js';
import type { HeaderFromSecret } from './agent-tools.js';
import { celRule } from './cel-rule.js';
import { conditionsSchema } from './condition.js';
import { GROUP_VERSION, REMOTE_AGENT_RESOURCE } from './group-version.js';
import { endpointPathSchema } from './endpoint-path.js';
import { HTTP_URL_CEL, URL_USERINFO_CEL, hasUserInfo, isHttpUrl } from './http-url.js';
import { int32, int64 } from './integer-formats.js';
import { keySelectorSchema } from './key-selector.js';
import { listMapKeys } from './kubernetes-lists.js';
import { dns1035Label } from './kubernetes-names.js';
import { objectMetaSchemaWithName } from './object-meta.js';

/**
 * A RemoteAgent may own an ExternalName Service named like it (spec.url with external backends),
 * so its name is a DNS-1035 label. No ReplicaSets hang off it, so the full 63 characters are free.
 */
export const REMOTE_AGENT_NAME_MAX_LENGTH = 63;
export const remoteAgentNameSchema = dns1035Label(REMOTE_AGENT_NAME_MAX_LENGTH);

export const DEFAULT_REMOTE_AGENT_PATH = '/';

export const remoteAgentServiceSchema = z
  .object({
    name: dns1035Label(63).describe("Name of the Service, in the RemoteAgent's namespace."),
    port: int32().min(1).max(65535).describe('Port of the Service the A2A server listens behind.'),
    path: endpointPathSchema('/a2a')
      .optional()
      .describe('HTTP path of the A2A endpoint on the Service; / by default. The card is read from <path>/.well-known/agent-card.json.'),
  })
  .describe('An A2A server in the cluster, reached through its Service: http://NAME.NAMESPACE.svc:PORT/PATH.');
export type RemoteAgentService = z.output<typeof remoteAgentServiceSchema>;

const remoteAgentUrlSchema = z
  .string()
  .min(1)
  .max(2048)
  .check(
    celRule<string>({ rule: HTTP_URL_CEL, message: 'url must be an absolute https URL, such as https://agent.example.com/a2a', holds: isHttpUrl }),
    // The URL is published in status and passed to calling agents: credentials belong in headersFrom.
    celRule<string>({ rule: URL_USERINFO_CEL, message: 'url must not contain credentials (user:password@); use headersFrom', holds: (u) => !hasUserInfo(u) }),
    celRule<string>({
      rule: "!self.contains('#')",
      message: 'url must not contain a fragment (#)',
      holds: (u) => !u.includes('#'),
    }),
  );

export const MAX_REMOTE_AGENT_HEADERS = 8;

export const remoteAgentTlsSchema = z
  .object({
    caBundle: z
      .object({
        configMapKeyRef: keySelectorSchema.describe("A key of a ConfigMap in the RemoteAgent's namespace holding PEM certificates."),
      })
      .optional()
      .describe("Certificates trusted for the server's TLS, in addition to the operator's default trust store."),
  })
  .describe('TLS settings for an https endpoint.');

export const remoteAgentExposureSchema = z
  .object({
    gateway: gatewayExposureSchema.optional(),
  })
  .describe('How the remote agent is reached through the gateway; unset fields take their defaults from the operator configuration.');
export type RemoteAgentExposure = z.output<typeof remoteAgentExposureSchema>;

const remoteAgentSpecFields = z.object({
  service: remoteAgentServiceSchema.optional(),
  url: remoteAgentUrlSchema
    .optional()
    .describe('URL of the A2A endpoint: https, and only on hosts the operator configuration allows (remoteAgents.allowedHosts); http only where it allows that too.'),
  headersFrom: z
    .array(headerFromSecretSchema)
    .max(MAX_REMOTE_AGENT_HEADERS)
    .check(listMapKeys<HeaderFromSecret>('name'))
    .optional()
    .describe("HTTP headers sent with the card request (and by agents that call this one), each from a Secret key in the RemoteAgent's namespace."),
  tls: remoteAgentTlsSchema.optional(),
  exposure: remoteAgentExposureSchema.optional(),
});
type RemoteAgentSpecFields = z.output<typeof remoteAgentSpecFields>;

export const remoteAgentSpecSchema = remoteAgentSpecFields
  .check(
    celRule<RemoteAgentSpecFields>({
      rule: 'has(self.service) != has(self.url)',
      message: 'exactly one of service or url must be set',
      holds: (s) => (s.service === undefined) !== (s.url === undefined),
    }),
  )
  .describe('Where the remote A2A server is, and how to reach it.');
export type RemoteAgentSpec = z.output<typeof remoteAgentSpecSchema>;

/** How much of a card status keeps: a card may list any number of skills; status must stay small. */
export const CARD_STATUS_LIMITS = {
  skills: 64,
  tags: 16,
  /** Names, ids, versions and tags. */
  shortText: 256,
  description: 1024,
  protocolVersions: 8,
} as const;

export const remoteAgentCardSkillSchema = z.object({
  id: z.string().max(CARD_STATUS_LIMITS.shortText).describe('Skill id.'),
  name: z.string().max(CARD_STATUS_LIMITS.shortText).describe('Skill name.'),
  tags: z.array(z.string().max(CARD_STATUS_LIMITS.shortText)).max(CARD_STATUS_LIMITS.tags).optional().describe('Skill tags (at most 16 kept).'),
});

export const remoteAgentCardStatusSchema = z
  .object({
    name: z.string().max(CARD_STATUS_LIMITS.shortText).describe("The card's name."),
    description: z.string().max(CARD_STATUS_LIMITS.description).optional().describe("The card's description, cut to 1024 characters."),
    version: z.string().max(CARD_STATUS_LIMITS.shortText).optional().describe("The agent's version."),
    protocolVersions: z
      .array(z.string().max(CARD_STATUS_LIMITS.shortText))
      .max(CARD_STATUS_LIMITS.protocolVersions)
      .describe('A2A protocol versions of its interfaces.'),
    skills: z.array(remoteAgentCardSkillSchema).max(CARD_STATUS_LIMITS.skills).describe('Its skills (at most 64 kept; skillCount has the total).'),
  })
  .describe('What the agent card says, bounded.');
export type RemoteAgentCardStatus = z.output<typeof remoteAgentCardStatusSchema>;

export const remoteAgentStatusSchema = z
  .object({
    observedGeneration: int64().min(0).optional().describe('The .metadata.generation the status was computed for.'),
    conditions: conditionsSchema.optional(),
    url: z.string().max(2048).optional().describe('The A2A endpoint: in the cluster for a Service, spec.url otherwise.'),
    publicUrl: z.string().max(2048).optional().describe('Endpoint through the gateway, when it is routed.'),
    card: remoteAgentCardStatusSchema.optional(),
    skillCount: int32().min(0).optional().describe('Number of skills on the card.'),
    cardDigest: z.string().max(128).optional().describe('sha256 of the card as last read: the operator writes status only when it changes.'),
  })
  .describe('The observed state of the remote agent, written by the operator.');
export type RemoteAgentStatus = z.output<typeof remoteAgentStatusSchema>;

export const remoteAgentSchema = z.object({
  apiVersion: z.literal(GROUP_VERSION),
  kind: z.literal(REMOTE_AGENT_RESOURCE.kind),
  metadata: objectMetaSchemaWithName(remoteAgentNameSchema),
  spec: remoteAgentSpecSchema,
  status: remoteAgentStatusSchema.optional(),
});
export type RemoteAgent = z.output<typeof remoteAgentSchema>;

/** The conditions of a RemoteAgent: Accepted, Routed and Ready as an Agent's, and two of its own. */
export const RemoteAgentConditionType = {
  Accepted: 'Accepted',
  /** The agent card could be read (connection, TLS, HTTP status, size, redirects). */
  Reachable: 'Reachable',
  /** The card read is a valid A2A agent card. */
  CardValid: 'CardValid',
  Routed: 'Routed',
  /** Accepted, Reachable, CardValid and (when it is exposed) Routed. */
  Ready: 'Ready',
} as const;

/** Reasons only a RemoteAgent reports; the card fetcher's own (Timeout, TooLarge ...) are passed on as they are. */
export const RemoteAgentReason = {
  /** Accepted=False: spec.service.name names no Service in the namespace. */
  ServiceNotFound: 'ServiceNotFound',
  /** Accepted=False: the Service has no port spec.service.port. */
  ServicePortNotFound: 'ServicePortNotFound',
  /** Accepted=False: spec.url's host is not in remoteAgents.allowedHosts. */
  HostNotAllowed: 'HostNotAllowed',
  /** Accepted=False: spec.url is http and remoteAgents.allowHttp is off. */
  InsecureScheme: 'InsecureScheme',
  /** Accepted=False: spec.headersFrom is set and remoteAgents.headersFromSecrets is off. */
  HeadersFromNotAllowed: 'HeadersFromNotAllowed',
  /** Accepted=False: a Secret (or its key) spec.headersFrom names is missing. */
  SecretNotFound: 'SecretNotFound',
  /** Accepted=False: the operator may not read the Secrets headersFrom names (its RBAC lacks get on Secrets there). */
  SecretForbidden: 'SecretForbidden',
  /** Accepted=False: the ConfigMap (or its key) spec.tls.caBundle names is missing. */
  ConfigMapNotFound: 'ConfigMapNotFound',
  /** Reachable=True. */
  CardFetched: 'CardFetched',
  /** CardValid=True. */
  CardParsed: 'CardParsed',
  /** Reachable/CardValid=Unknown: the card has not been read yet (not accepted, or first fetch pending). */
  NotFetched: 'NotFetched',
  /** Ready=False: the card could not be read or is not valid. */
  CardUnavailable: 'CardUnavailable',
  /** Ready=True. */
  Available: 'Available',
  /** Routed=False: a spec.url RemoteAgent, and remoteAgents.allowExternalBackends is off. */
  ExternalBackendsNotAllowed: 'ExternalBackendsNotAllowed',
} as const;
