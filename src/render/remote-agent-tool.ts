// A RemoteAgent as a Declarative Agent's tool (`tools[].remoteAgent`): what render reads of the
// cached RemoteAgent, and what that becomes in the calling agent: the A2A endpoint its runtime calls
// (the Service URL or spec.url), the protocol version its card offers, the headers its pod carries
// (Secret-backed env vars, so from the caller's own namespace only) and, for the Service form, the one
// egress destination. The RemoteAgent is another controller's object (and may be of a newer or
// broken shape): it is parsed here, at render's boundary, with a schema that reads only these fields.
import { z } from 'zod';

import type { RemoteAgentTool } from '../api/agent-tools.js';
import { ConditionReason } from '../api/condition.js';
import type { PEER_PROTOCOL_VERSIONS } from '../contract/agent-config.js';
import type { SecretLookup } from './pod-policy.js';
import { RenderRejection } from './render-result.js';
import { serviceDestination, type ToolDestination, type ToolService } from './tool-service.js';

/** The path of a RemoteAgent's Service endpoint when spec.service.path is unset. */
const DEFAULT_REMOTE_AGENT_PATH = '/';

const identitySchema = z.looseObject({ metadata: z.looseObject({ name: z.string(), namespace: z.string() }) });

/** What render reads of a RemoteAgent a tool names (the whole cached RemoteAgent is given). */
const remoteAgentSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), namespace: z.string(), generation: z.number().int().optional().catch(undefined) }),
  spec: z.looseObject({
    service: z.looseObject({ name: z.string().min(1), port: z.number().int(), path: z.string().optional() }).optional(),
    url: z.string().min(1).optional(),
    headersFrom: z.array(z.looseObject({ name: z.string().min(1), secretKeyRef: z.looseObject({ name: z.string().min(1), key: z.string().min(1) }) })).optional(),
    tls: z.looseObject({ caBundle: z.looseObject({ configMapKeyRef: z.looseObject({ name: z.string().min(1), key: z.string().min(1) }) }).optional() }).optional(),
  }),
  // The controller's report: read tolerantly, a status render cannot read counts as none yet.
  status: z
    .looseObject({
      observedGeneration: z.number().int().optional().catch(undefined),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() })).optional(),
      card: z.looseObject({ description: z.string().optional().catch(undefined), protocolVersions: z.array(z.string()).optional().catch(undefined) }).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
});
type RemoteAgent = z.output<typeof remoteAgentSchema>;

export interface RemoteAgentHeader {
  /** The HTTP header name. */
  name: string;
  secretKeyRef: { name: string; key: string };
}

export interface RemoteAgentEndpoint {
  url: string;
  protocolVersion: (typeof PEER_PROTOCOL_VERSIONS)[number];
  description?: string;
  headers: RemoteAgentHeader[];
  /** The Service form's pods on their port; the URL form opens nothing (the admin's egress settings apply). */
  destination?: ToolDestination;
  /** The URL form's extra CAs: a ConfigMap key of the calling Agent's namespace, mounted in its pod. */
  caBundle?: { name: string; key: string };
}

export interface RemoteAgentLookup {
  /** The RemoteAgents the tools name that exist, as cached. */
  remoteAgents: readonly unknown[];
  /** The Services those RemoteAgents name, as the operator projects them. */
  services: readonly ToolService[];
  /** pods.secretReferences.requiredLabel and the namespace's Secrets, when both are known. */
  requiredSecretLabel?: { key: string; value: string; secrets: SecretLookup };
}

/** Resolves one `tools[i].remoteAgent` (`field` names it) of an Agent in `ownNamespace`. Throws RenderRejection. */
export function remoteAgentEndpoint(ownNamespace: string, tool: RemoteAgentTool, lookup: RemoteAgentLookup, field: string): RemoteAgentEndpoint {
  const namespace = tool.namespace ?? ownNamespace;
  const label = `RemoteAgent ${JSON.stringify(`${namespace}/${tool.name}`)}`;
  const cached = lookup.remoteAgents.find((r) => {
    const identity = identitySchema.safeParse(r);
    return identity.success && identity.data.metadata.name === tool.name && identity.data.metadata.namespace === namespace;
  });
  if (cached === undefined) throw new RenderRejection(ConditionReason.ToolNotFound, `${field}.name: ${label} not found`);
  const parsed = remoteAgentSchema.safeParse(cached);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RenderRejection(ConditionReason.InvalidTool, `${field}.name: ${label} cannot be read (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'})`);
  }
  const remote = parsed.data;
  checkAccepted(remote, label, `${field}.name`);
  const headers = headersOf(remote, ownNamespace, lookup.requiredSecretLabel, label, field);
  const card = remote.status?.card;
  const about = { protocolVersion: protocolVersionOf(card?.protocolVersions), ...(card?.description !== undefined && card.description !== '' && { description: card.description }), headers };
  const service = remote.spec.service;
  if (service !== undefined) {
    const destination = serviceDestination(lookup.services, { namespace, name: service.name, port: service.port }, {
      field: `${field}.name`,
      portField: `${field}.name`,
      subject: `the Service ${JSON.stringify(`${namespace}/${service.name}`)} of ${label} (its spec.service)`,
      alternative: "give the RemoteAgent spec.url instead, and allow its address with the Agent's spec.exposure.networkPolicy.egressTo",
    });
    return { url: `http://${service.name}.${namespace}.svc:${service.port}${service.path ?? DEFAULT_REMOTE_AGENT_PATH}`, ...about, destination };
  }
  if (remote.spec.url === undefined) throw new RenderRejection(ConditionReason.InvalidTool, `${field}.name: ${label} has neither spec.service nor spec.url`);
  const ca = remote.spec.tls?.caBundle?.configMapKeyRef;
  if (ca === undefined) return { url: remote.spec.url, ...about };
  // Mounted into the calling pod, which can read only its own namespace's ConfigMaps.
  if (remote.metadata.namespace !== ownNamespace) {
    throw new RenderRejection(
      ConditionReason.InvalidTool,
      `${field}.namespace: ${label} trusts a CA bundle from a ConfigMap of its namespace (its spec.tls.caBundle), which a pod in namespace ${JSON.stringify(ownNamespace)} cannot mount; use a RemoteAgent in the Agent's own namespace`,
    );
  }
  return { url: remote.spec.url, ...about, caBundle: { name: ca.name, key: ca.key } };
}

/** The RemoteAgent's headersFrom, as the calling pod may carry them. Throws RenderRejection. */
function headersOf(remote: RemoteAgent, ownNamespace: string, required: RemoteAgentLookup['requiredSecretLabel'], label: string, field: string): RemoteAgentHeader[] {
  const headersFrom = remote.spec.headersFrom ?? [];
  // A secretKeyRef reads the pod's own namespace: the RemoteAgent's Secrets are out of reach elsewhere.
  if (headersFrom.length > 0 && remote.metadata.namespace !== ownNamespace) {
    throw new RenderRejection(
      ConditionReason.InvalidTool,
      `${field}.namespace: ${label} sends headers from Secrets (its spec.headersFrom), which a pod in namespace ${JSON.stringify(ownNamespace)} cannot read; use a RemoteAgent in the Agent's own namespace`,
    );
  }
  if (required !== undefined) {
    headersFrom.forEach((header, j) => {
      const secret = required.secrets(header.secretKeyRef.name);
      if (secret?.labels[required.key] !== required.value) {
        throw new RenderRejection(
          ConditionReason.InvalidTool,
          `${field}.name: ${label} spec.headersFrom[${j}].secretKeyRef: the Secret ${JSON.stringify(header.secretKeyRef.name)} ${secret ? 'does not carry' : 'does not exist, or does not carry'} the label ${required.key}=${required.value} that Secrets referenced by Agents must have (pods.secretReferences.requiredLabel in the operator configuration)`,
        );
      }
    });
  }
  return headersFrom.map((h) => ({ name: h.name, secretKeyRef: { name: h.secretKeyRef.name, key: h.secretKeyRef.key } }));
}

/**
 * Only an Accepted RemoteAgent is called, and only as its controller checked it (allowed hosts, the
 * Service): a spec changed since is not called until the controller has looked at it.
 */
function checkAccepted(remote: RemoteAgent, label: string, field: string): void {
  const accepted = remote.status?.conditions?.find((c) => c.type === 'Accepted');
  if (accepted === undefined) {
    throw new RenderRejection(ConditionReason.InvalidTool, `${field}: ${label} has not been accepted yet (its controller has not reported on it)`);
  }
  const { generation } = remote.metadata;
  const observed = remote.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed !== generation) {
    throw new RenderRejection(ConditionReason.InvalidTool, `${field}: ${label} has changed (generation ${generation}) since its controller accepted it (generation ${observed}); waiting for its verdict`);
  }
  if (accepted.status !== 'True') {
    const why = [accepted.reason, accepted.message].filter((s) => s !== undefined && s !== '').join(': ');
    throw new RenderRejection(ConditionReason.InvalidTool, `${field}: ${label} is not accepted${why ? ` (${why})` : ''}`);
  }
}

/** 1.0 when the card offers it (or says nothing yet), 0.3 when that is all it offers. */
function protocolVersionOf(versions: readonly string[] | undefined): RemoteAgentEndpoint['protocolVersion'] {
  if (versions === undefined || versions.length === 0) return '1.0';
  if (versions.some((v) => /^1(\.|$)/.test(v))) return '1.0';
  return versions.some((v) => /^0\.3(\.|$)/.test(v)) ? '0.3' : '1.0';
}
