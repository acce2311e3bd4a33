// The Helm chart's identity and permissions, installed without its Deployment: `helm template` for
// the chosen values, then the ServiceAccount, the (Cluster)Roles and their bindings applied as they
// are, and the operator configuration file the chart would mount. A test then runs the operator
// in-process (or as a child process) with that ServiceAccount's credentials: exactly what the
// chart's pod would be allowed to do, with the configuration the chart would give it.
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { parseOperatorConfig, type OperatorConfig } from '../../src/config/operator-config.js';
import { serviceAccountMay, type Access } from '../unit/install/support/access-review.js';
import { helmBinary, helmTemplate } from '../unit/install/support/helm.js';
import { eventually } from './cluster.js';
import type { ServiceAccountRef } from './service-account-token.js';

const IDENTITY_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

export interface ChartRender {
  objects: KubeObject[];
  /** The ServiceAccount and RBAC objects, in apply order. */
  rbac: KubeObject[];
  /** The fence (ValidatingAdmissionPolicy and binding), rendered as on a cluster that serves the API (1.30+). */
  fence: KubeObject[];
  serviceAccount: ServiceAccountRef;
  /** config.yaml of the chart's ConfigMap, parsed as `agentry run --config` parses it. */
  config: OperatorConfig;
  configYaml: string;
}

export interface ChartValues {
  release: string;
  namespace: string;
  /** --set-json values. */
  setJson?: Record<string, unknown>;
}

/** Builds helm (from its Go module) on first use: call from a beforeAll with a long timeout. */
export async function ensureHelm(): Promise<void> {
  await helmBinary();
}

export async function renderChart(values: ChartValues): Promise<ChartRender> {
  const objects = await helmTemplate({
    release: values.release,
    namespace: values.namespace,
    ...(values.setJson ? { setJson: values.setJson } : {}),
    // As helm install sees the test control plane (1.36): it serves ValidatingAdmissionPolicy.
    apiVersions: ['admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy'],
  });
  const order = (o: KubeObject) => ['ServiceAccount', 'ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'].indexOf(o.kind);
  const rbac = objects.filter((o) => IDENTITY_KINDS.has(o.kind)).sort((a, b) => order(a) - order(b));
  const sa = rbac.find((o) => o.kind === 'ServiceAccount');
  if (!sa?.metadata.namespace) throw new Error('the chart rendered no ServiceAccount');
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-config'));
  const configYaml = (configMap?.data as Record<string, string> | undefined)?.['config.yaml'];
  if (configYaml === undefined) throw new Error('the chart rendered no operator configuration');
  return {
    objects,
    rbac,
    fence: objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy' || o.kind === 'ValidatingAdmissionPolicyBinding'),
    serviceAccount: { namespace: sa.metadata.namespace, name: sa.metadata.name },
    config: parseOperatorConfig(configYaml, 'the chart ConfigMap'),
    configYaml,
  };
}

/** Server-side applies the chart's ServiceAccount and RBAC (as `helm upgrade` would update them). */
export async function applyChartRbac(admin: KubeClient, render: ChartRender): Promise<void> {
  for (const obj of render.rbac) await admin.apply(obj, { fieldManager: 'helm', force: true });
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

/** Every permission the chart's bindings grant, as access-review questions. */
function grantedAccess(render: ChartRender): Access[] {
  const out: Access[] = [];
  for (const binding of render.rbac.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const roleRef = binding.roleRef as { kind: string; name: string };
    const role = render.rbac.find((r) => r.kind === roleRef.kind && r.metadata.name === roleRef.name && (r.kind === 'ClusterRole' || r.metadata.namespace === binding.metadata.namespace));
    // A ClusterRoleBinding grants everywhere: ask about the ServiceAccount's own namespace.
    const namespace = binding.metadata.namespace ?? render.serviceAccount.namespace;
    for (const rule of (role?.rules as Rule[] | undefined) ?? []) {
      for (const group of rule.apiGroups ?? []) {
        for (const full of rule.resources ?? []) {
          const [resource = '', subresource] = full.split('/');
          for (const verb of rule.verbs ?? []) out.push({ verb, group, resource, namespace, ...(subresource ? { subresource } : {}) });
        }
      }
    }
  }
  return out;
}

/**
 * Waits until the authorizer grants everything the chart's RBAC says (it reads roles through its own
 * caches, a moment after they are written): otherwise the operator's very first list could be
 * refused, and the test would blame the chart for a propagation delay.
 */
export async function waitForChartRbac(admin: KubeClient, render: ChartRender): Promise<void> {
  const access = grantedAccess(render);
  if (access.length === 0) throw new Error('the chart granted nothing');
  await eventually(async () => (await Promise.all(access.map((a) => serviceAccountMay(admin, render.serviceAccount, a)))).every(Boolean), 20_000, 200);
}

/** Deletes what applyChartRbac (and applyChartFence) created: cluster-scoped objects outlive the test's namespaces. */
export async function deleteChartRbac(admin: KubeClient, render: ChartRender): Promise<void> {
  for (const obj of [...render.rbac, ...render.fence].reverse()) {
    await admin.delete(obj).catch(() => undefined);
  }
}

/**
 * Server-side applies the chart's fence, then waits until the API server enforces it: a dry-run
 * create as the operator's ServiceAccount of an object the fence refuses (admission runs on dry
 * runs too) must be refused by it.
 */
export async function applyChartFence(admin: KubeClient, render: ChartRender, probeNamespace: string): Promise<void> {
  if (render.fence.length === 0) throw new Error('the chart rendered no fence');
  for (const obj of render.fence) await admin.apply(obj, { fieldManager: 'helm', force: true });
  const asOperator = new KubeClient(admin.connection, { impersonate: { user: `system:serviceaccount:${render.serviceAccount.namespace}:${render.serviceAccount.name}` } });
  try {
    // An unlabelled ConfigMap where the chart's RBAC lets the operator create ConfigMaps.
    await eventually(
      () =>
        asOperator.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fence-probe', namespace: probeNamespace } }, { dryRun: true }).then(
          () => false,
          (err: unknown) => err instanceof Error && err.message.includes('ValidatingAdmissionPolicy'),
        ),
      30_000,
      200,
    );
  } finally {
    asOperator.close();
  }
}
