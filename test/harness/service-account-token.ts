// Credentials of a ServiceAccount, the way a pod gets them: a token from the TokenRequest API, used
// as a bearer token against the test cluster's server and CA. Running the operator with this
// KubeConfig makes the API server authorize every request against the RBAC bound to that account.
import * as k8s from '@kubernetes/client-node';
import { writeFile } from 'node:fs/promises';
import type { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** The RBAC user name of a ServiceAccount. */
export function serviceAccountUser(sa: ServiceAccountRef): string {
  return `system:serviceaccount:${sa.namespace}:${sa.name}`;
}

/** POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token (what the kubelet does for a projected token). */
export async function requestToken(admin: KubeClient, sa: ServiceAccountRef, expirationSeconds = 3600): Promise<string> {
  const review = (await admin.request('POST', `/api/v1/namespaces/${sa.namespace}/serviceaccounts/${sa.name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } },
  })) as { status?: { token?: string } };
  const token = review.status?.token;
  if (!token) throw new Error(`the API server returned no token for ${serviceAccountUser(sa)}`);
  return token;
}

/** A KubeConfig for `token` against the same server and CA as `admin`. */
export function tokenKubeConfig(admin: k8s.KubeConfig, token: string, user: string): k8s.KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.server, skipTLSVerify: false, ...(cluster.caData ? { caData: cluster.caData } : {}), ...(cluster.caFile ? { caFile: cluster.caFile } : {}) }],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return kc;
}

/** Mints a token for `sa` and returns a connection (the admin's server and CA) that authenticates as it. */
export async function serviceAccountConnection(admin: KubeClient, sa: ServiceAccountRef): Promise<KubeConnection> {
  return admin.connection.withCredentials({ token: await requestToken(admin, sa) });
}

/** Writes `kc` as a kubeconfig file (for operator child processes). */
export async function writeKubeconfig(kc: k8s.KubeConfig, path: string): Promise<void> {
  await writeFile(path, kc.exportConfig(), { mode: 0o600 });
}
