// Asks the API server whether a ServiceAccount may do something (SubjectAccessReview): the RBAC a
// chart installed, as the authorizer sees it rather than as the manifests read.
import type { KubeClient } from '../../../../src/kube/kube-client.js';

export interface Access {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  subresource?: string;
}

export function describeAccess(a: Access): string {
  const resource = `${a.group ? `${a.group}/` : ''}${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;
  return `${a.verb} ${resource}${a.namespace ? ` in ${a.namespace}` : ' cluster-wide'}`;
}

export async function serviceAccountMay(client: KubeClient, serviceAccount: { namespace: string; name: string }, access: Access): Promise<boolean> {
  const resourceAttributes = {
    verb: access.verb,
    group: access.group,
    resource: access.resource,
    ...(access.subresource ? { subresource: access.subresource } : {}),
    ...(access.namespace ? { namespace: access.namespace } : {}),
  };
  const spec = {
    user: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${serviceAccount.namespace}`, 'system:authenticated'],
    resourceAttributes,
  };
  // A review has no name (the server refuses one), so it is posted as it is, not as a KubeObject.
  const review = (await client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
  })) as { status?: { allowed?: boolean } };
  return review.status?.allowed === true;
}
