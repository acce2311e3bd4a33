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

async function getOrUndefined(client: KubeClient, kind: 'Secret' | 'ConfigMap', namespace: string, name: string): Promise<DataView | undefined> {
  try {
    return (await client.get('v1', kind, namespace, name)) as DataView;
  } catch (err) {
    if (KubeApiError.isNotFound(err)) return undefined;
    throw err;
  }
}

export async function readFetchCredentials(client: KubeClient, namespace: string, spec: RemoteAgentSpec): Promise<CredentialsResult> {
  const headers: Record<string, string> = {};
  for (const [i, header] of (spec.headersFrom ?? []).entries()) {
    const { name, key } = header.secretKeyRef;
    const field = `spec.headersFrom[${i}].secretKeyRef`;
    const secret = await getOrUndefined(client, 'Secret', namespace, name);
    if (!secret) return { ok: false, reason: RemoteAgentReason.SecretNotFound, message: `${field}: no Secret ${JSON.stringify(name)} in namespace ${namespace}` };
    const encoded = secret.data?.[key];
    if (encoded === undefined) return { ok: false, reason: RemoteAgentReason.SecretNotFound, message: `${field}: the Secret ${JSON.stringify(name)} has no key ${JSON.stringify(key)}` };
    headers[header.name] = Buffer.from(encoded, 'base64').toString('utf8');
  }
  const caRef = spec.tls?.caBundle?.configMapKeyRef;
  if (caRef === undefined) return { ok: true, credentials: { headers } };
  const field = 'spec.tls.caBundle.configMapKeyRef';
  const configMap = await getOrUndefined(client, 'ConfigMap', namespace, caRef.name);
  if (!configMap) return { ok: false, reason: RemoteAgentReason.ConfigMapNotFound, message: `${field}: no ConfigMap ${JSON.stringify(caRef.name)} in namespace ${namespace}` };
  const caBundle = configMap.data?.[caRef.key];
  if (caBundle === undefined) return { ok: false, reason: RemoteAgentReason.ConfigMapNotFound, message: `${field}: the ConfigMap ${JSON.stringify(caRef.name)} has no key ${JSON.stringify(caRef.key)}` };
  return { ok: true, credentials: { headers, caBundle } };
}
