// The header values and CA bundle a card fetch needs, read from the RemoteAgent's own namespace when
// the fetch is made: one GET per Secret or ConfigMap (never a watch, never cached), and only when the
// operator configuration lets it read Secrets (remoteAgents.headersFromSecrets). A value never leaves
// this module but into the request: messages name the Secret and key, never what they hold.
import { RemoteAgentReason, type RemoteAgentSpec } from '../../api/remote-agent.js';
import { KubeApiError } from '../../kube/kube-api-error.js';
import type { KubeClient } from '../../kube/kube-client.js';
import type { Refusal } from './fetch-schedule.js';

export interface FetchCredentials {
  headers: Record<string, string>;
  caBundle?: string;
}

export type CredentialsResult = { ok: true; credentials: FetchCredentials } | ({ ok: false } & Refusal);

interface DataView {
  data?: Record<string, string>;
}

/** What this module asks of the API: one GET. */
export type ObjectGetter = Pick<KubeClient, 'get'>;

const FORBIDDEN = 'forbidden';

/** The object, undefined when it does not exist, FORBIDDEN when the operator may not read it. */
async function getOrUndefined(client: ObjectGetter, kind: 'Secret' | 'ConfigMap', namespace: string, name: string): Promise<DataView | undefined | typeof FORBIDDEN> {
  try {
    return (await client.get('v1', kind, namespace, name)) as DataView;
  } catch (err) {
    if (KubeApiError.isNotFound(err)) return undefined;
    // Configured to read Secrets, installed without the RBAC for it (the kustomize base leaves that
    // role out): said on the RemoteAgent, not only in the operator's log.
    if (err instanceof KubeApiError && err.statusCode === 403) return FORBIDDEN;
    throw err;
  }
}

function forbidden(field: string, kind: string, namespace: string): Refusal {
  return {
    reason: RemoteAgentReason.SecretForbidden,
    message: `${field}: the operator may not get ${kind}s in namespace ${namespace}: its RBAC needs get on ${kind.toLowerCase()}s there${
      kind === 'Secret' ? ' (the Helm chart grants it with remoteAgents.headersFromSecrets; kustomize: config/rbac/remote_agent_secret_role.yaml)' : ''
    }`,
  };
}

export async function readFetchCredentials(client: ObjectGetter, namespace: string, spec: RemoteAgentSpec): Promise<CredentialsResult> {
  const headers: Record<string, string> = {};
  for (const [i, header] of (spec.headersFrom ?? []).entries()) {
    const { name, key } = header.secretKeyRef;
    const field = `spec.headersFrom[${i}].secretKeyRef`;
    const secret = await getOrUndefined(client, 'Secret', namespace, name);
    if (secret === FORBIDDEN) return { ok: false, ...forbidden(field, 'Secret', namespace) };
    if (!secret) return { ok: false, reason: RemoteAgentReason.SecretNotFound, message: `${field}: no Secret ${JSON.stringify(name)} in namespace ${namespace}` };
    const encoded = secret.data?.[key];
    if (encoded === undefined) return { ok: false, reason: RemoteAgentReason.SecretNotFound, message: `${field}: the Secret ${JSON.stringify(name)} has no key ${JSON.stringify(key)}` };
    headers[header.name] = Buffer.from(encoded, 'base64').toString('utf8');
  }
  const caRef = spec.tls?.caBundle?.configMapKeyRef;
  if (caRef === undefined) return { ok: true, credentials: { headers } };
  const field = 'spec.tls.caBundle.configMapKeyRef';
  const configMap = await getOrUndefined(client, 'ConfigMap', namespace, caRef.name);
  if (configMap === FORBIDDEN) return { ok: false, ...forbidden(field, 'ConfigMap', namespace) };
  if (!configMap) return { ok: false, reason: RemoteAgentReason.ConfigMapNotFound, message: `${field}: no ConfigMap ${JSON.stringify(caRef.name)} in namespace ${namespace}` };
  const caBundle = configMap.data?.[caRef.key];
  if (caBundle === undefined) return { ok: false, reason: RemoteAgentReason.ConfigMapNotFound, message: `${field}: the ConfigMap ${JSON.stringify(caRef.name)} has no key ${JSON.stringify(caRef.key)}` };
  return { ok: true, credentials: { headers, caBundle } };
}
