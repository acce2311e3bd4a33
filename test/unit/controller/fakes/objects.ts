import type { KubeObject, OwnerReference } from '../../../../src/kube/kube-object.js';

export function configMap(name: string, namespace = 'default', data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export function owned(kind: string, name: string, namespace: string, owner: OwnerReference[]): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { name, namespace, ownerReferences: owner } };
}

export function agentOwner(name: string, controller = true, apiVersion = 'agentry.dev/v1alpha1'): OwnerReference {
  return { apiVersion, kind: 'Agent', name, uid: `uid-${name}`, controller };
}
