// Proves the harness runs a real control plane, not a fake: scheduling and kwok-simulated pods,
// garbage collection, CEL admission, server-side-apply field ownership and the Gateway API CRDs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { waitForCrdsEstablished } from '../../hack/control-plane/control-plane.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { eventually, isNotFound, connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
let ns = '';

beforeAll(async () => {
  ns = await namespaces.create('smoke');
});
afterAll(async () => {
  await namespaces.deleteAll();
  client.close();
});

function deployment(name: string): k8s.V1Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } },
    },
  };
}

describe('a real control plane', () => {
  it('runs a Deployment to Available with its pods Running on kwok nodes', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    const available = await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      return d.status?.conditions?.find((c) => c.type === 'Available' && c.status === 'True') ? d : undefined;
    }, 60_000);
    expect(available.status?.availableReplicas).toBe(2);
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.status?.phase).toBe('Running');
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-/);
      expect(pod.status?.podIP).toMatch(/^10\.244\./);
    }
  });

  it('garbage-collects the ReplicaSet and Pods of a deleted Deployment', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('gc') });
    await eventually(async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=gc' })).items.length === 2, 60_000);
    expect((await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=gc' })).items).toHaveLength(1);

    await apps.deleteNamespacedDeployment({ name: 'gc', namespace: ns, propagationPolicy: 'Background' });
    await eventually(async () => {
      const [rs, pods] = await Promise.all([
        apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=gc' }),
        core.listNamespacedPod({ namespace: ns, labelSelector: 'app=gc' }),
      ]);
      return rs.items.length === 0 && pods.items.length === 0;
    }, 60_000);
  });

  it('rejects an object that breaks a CRD CEL rule, with the rule message', async () => {
    const group = `smoke-${ns}.agentry.dev`;
    // Created through the JSON client: client-node's typed model would drop x-kubernetes-validations.
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { min: { type: 'integer' }, max: { type: 'integer' } },
                  'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'spec.min must not exceed spec.max' }],
                },
              },
            },
          },
        }],
      },
    };
    await client.create(crd);
    try {
      await waitForCrdsEstablished(client, [crd.metadata.name]);
      const widget = (min: number, max: number, name: string) => ({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name, namespace: ns }, spec: { min, max } });
      await expect(objects.create(widget(1, 2, 'ok'))).resolves.toBeDefined();
      const rejection = await objects.create(widget(3, 2, 'bad')).then(() => undefined, (err: unknown) => err);
      expect(rejection).toBeInstanceOf(k8s.ApiException);
      expect((rejection as k8s.ApiException<unknown>).code).toBe(422);
      expect(String((rejection as k8s.ApiException<unknown>).body)).toContain('spec.min must not exceed spec.max');
    } finally {
      await client.delete(crd);
    }
  });

  it('reports a conflict when a second field manager applies an owned field without force', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned', namespace: ns }, data: { key: 'first' } };
    await objects.patch(cm, undefined, undefined, 'first-manager', true, k8s.PatchStrategy.ServerSideApply);
    const conflict = await objects
      .patch({ ...cm, data: { key: 'second' } }, undefined, undefined, 'second-manager', false, k8s.PatchStrategy.ServerSideApply)
      .then(() => undefined, (err: unknown) => err);
    expect((conflict as k8s.ApiException<unknown>).code).toBe(409);
    expect(String((conflict as k8s.ApiException<unknown>).body)).toContain('first-manager');
    const live = await core.readNamespacedConfigMap({ name: 'owned', namespace: ns });
    expect(live.data?.key).toBe('first');
    // With force the second manager takes the field over.
    await objects.patch({ ...cm, data: { key: 'second' } }, undefined, undefined, 'second-manager', true, k8s.PatchStrategy.ServerSideApply);
    expect((await core.readNamespacedConfigMap({ name: 'owned', namespace: ns })).data?.key).toBe('second');
  });

  it('serves the Gateway API: an HTTPRoute and a ReferenceGrant can be created', async () => {
    const route = await objects.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: ns },
      spec: {
        parentRefs: [{ name: 'gw', namespace: 'gateway-system' }],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/agents/x' } }], backendRefs: [{ name: 'svc', port: 8080 }] }],
      },
    } as k8s.KubernetesObject);
    expect(route.metadata?.uid).toBeDefined();
    const grant = await objects.create({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'g', namespace: ns },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gateway-system' }], to: [{ group: '', kind: 'Service', name: 'svc' }] },
    } as k8s.KubernetesObject);
    expect(grant.metadata?.uid).toBeDefined();
    // The schema is real too: an HTTPRoute path must start with '/'.
    const bad = await objects
      .create({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'bad', namespace: ns }, spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'no-slash' } }] }] } } as k8s.KubernetesObject)
      .then(() => undefined, (err: unknown) => err);
    expect((bad as k8s.ApiException<unknown>).code).toBe(422);
    const read = await objects
      .read({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'bad', namespace: ns } })
      .then(() => undefined, (err: unknown) => err);
    expect(isNotFound(read)).toBe(true);
  });
});
