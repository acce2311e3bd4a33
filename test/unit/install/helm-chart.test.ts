// The Helm chart, rendered without a cluster: lint, what each values file produces, the operator
// configuration it writes, and the values it refuses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { defaultOperatorConfig, parseOperatorConfig } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { helmBinary, helmLint, helmTemplate, helmTemplateResult, SERVICE_MONITOR_API } from './support/helm.js';
import { findObject } from './support/manifests.js';
import { CHART_DIR, HELM_FIXTURES_DIR } from './support/paths.js';

interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  securityContext: Record<string, unknown>;
  resources: Record<string, unknown>;
}

interface PodSpec {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  affinity?: unknown;
  topologySpreadConstraints?: { labelSelector?: unknown }[];
  imagePullSecrets?: { name: string }[];
}

interface DeploymentShape {
  spec: { replicas: number; template: { metadata: { annotations: Record<string, string> }; spec: PodSpec } };
}

const VALID_FIXTURES = readdirSync(HELM_FIXTURES_DIR).filter((f) => f.endsWith('.yaml')).sort();
const INVALID_FIXTURES = readdirSync(join(HELM_FIXTURES_DIR, 'invalid')).filter((f) => f.endsWith('.yaml')).sort();

function deployment(objects: KubeObject[]): DeploymentShape & KubeObject {
  return findObject(objects, 'Deployment') as DeploymentShape & KubeObject;
}

function operatorContainer(objects: KubeObject[]): Container {
  const container = deployment(objects).spec.template.spec.containers[0];
  if (!container) throw new Error('the Deployment has no container');
  return container;
}

function configText(objects: KubeObject[]): string {
  const data = findObject(objects, 'ConfigMap').data as Record<string, string>;
  const text = data['config.yaml'];
  if (text === undefined) throw new Error('the ConfigMap has no config.yaml');
  return text;
}

const render = (values: string[] = [], extra: Parameters<typeof helmTemplate>[0] = {}) =>
  helmTemplate({ values, apiVersions: [SERVICE_MONITOR_API], ...extra });

// The first use builds helm from its Go module (minutes on a cold cache), outside any test's time limit.
beforeAll(async () => {
  await helmBinary();
}, 600_000);

describe('the Helm chart', () => {
  it('has the chart metadata Helm 3 expects', () => {
    const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'agentry', type: 'application' });
    const pkg = JSON.parse(readFileSync(join(CHART_DIR, '../../../package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
  });

  it.each(VALID_FIXTURES)('passes helm lint --strict with %s', async (file) => {
    const result = await helmLint([file]);
    expect({ code: result.code, output: result.stdout + result.stderr }).toEqual({ code: 0, output: expect.stringContaining('0 chart(s) failed') });
  });

  it.each(VALID_FIXTURES)('renders a configuration the operator accepts with %s', async (file) => {
    const objects = await render([file]);
    expect(() => parseOperatorConfig(configText(objects), file)).not.toThrow();
  });

  it('renders the operator defaults with the default values', async () => {
    const objects = await render();
    expect(parseOperatorConfig(configText(objects))).toEqual(defaultOperatorConfig());
    expect(objects.map((o) => o.kind).sort()).toEqual(
      // The operator's ClusterRole, and the <fullname>-edit and -view ClusterRoles for its users.
      ['ClusterRole', 'ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount'].sort(),
    );
    for (const o of objects) if (o.kind !== 'ClusterRole' && o.kind !== 'ClusterRoleBinding') expect(o.metadata.namespace).toBe('agentry-system');
  });

  it('runs the operator the way the CLI and the probes expect', async () => {
    const objects = await render();
    const d = deployment(objects);
    const c = operatorContainer(objects);
    expect(c.image).toBe('ghcr.io/agentry-dev/agentry:0.1.0');
    expect(c.args).toEqual(['run', '--config=/etc/agentry/config.yaml', '--probe-address=:8081', '--leader-elect']);
    expect(c.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath])).toEqual([
      ['POD_NAME', 'metadata.name'],
      ['POD_NAMESPACE', 'metadata.namespace'],
    ]);
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 8081, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(d.spec.template.spec.serviceAccountName).toBe(findObject(objects, 'ServiceAccount').metadata.name);
    const service = findObject(objects, 'Service') as KubeObject & { spec: { ports: unknown[]; selector: unknown } };
    expect(service.spec.ports).toEqual([{ name: 'metrics', port: 8081, targetPort: 'metrics', protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'agentry', 'app.kubernetes.io/instance': 'agentry' });
  });

  it('meets the Pod Security restricted profile', async () => {
    const objects = await render();
    const pod = deployment(objects).spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(operatorContainer(objects).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('rolls the pods when the configuration changes, and only then', async () => {
    const checksum = async (setJson: Record<string, unknown>) =>
      deployment(await render([], { setJson })).spec.template.metadata.annotations['checksum/config'];
    const base = await checksum({});
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await checksum({ replicaCount: 1 })).toBe(base);
    expect(await checksum({ 'config.workers': 8 })).not.toBe(base);
    expect(await checksum({ 'config.gateway.parentRefs': [{ name: 'gw', namespace: 'gw-system' }] })).not.toBe(base);
  });

  it('runs three replicas with leader election and a PodDisruptionBudget (ha.yaml)', async () => {
    const objects = await render(['ha.yaml']);
    const d = deployment(objects);
    expect(d.spec.replicas).toBe(3);
    // The values turn leader election off; with three replicas the chart turns it on regardless.
    expect(operatorContainer(objects).args).toContain('--leader-elect');
    const config = parseOperatorConfig(configText(objects));
    expect(config.leaderElection).toEqual({
      enabled: true,
      leaseName: 'agentry-ha',
      leaseDurationSeconds: 30,
      renewDeadlineSeconds: 20,
      retryPeriodSeconds: 5,
    });
    const pdb = findObject(objects, 'PodDisruptionBudget') as KubeObject & { spec: unknown };
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'agentry', 'app.kubernetes.io/instance': 'agentry' } } });
    const pod = d.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.tolerations).toHaveLength(1);
    expect(pod.affinity).toHaveProperty('podAntiAffinity');
    // The chart fills in the pods' own selector when a spread constraint has none.
    expect(pod.topologySpreadConstraints?.[0]?.labelSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'agentry', 'app.kubernetes.io/instance': 'agentry' },
    });
    expect(operatorContainer(objects).resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } });
  });

  it('renders no PodDisruptionBudget for one replica, and no Lease role without leader election', async () => {
    const objects = await render([], { setJson: { 'config.leaderElection.enabled': false } });
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(operatorContainer(objects).args).toContain('--no-leader-elect');
    expect(parseOperatorConfig(configText(objects)).leaderElection.enabled).toBe(false);
    expect(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
  });

  it('names the Lease after the release, so two releases never share one', async () => {
    const config = parseOperatorConfig(configText(await render([], { release: 'shard-b' })));
    expect(config.leaderElection.leaseName).toBe('shard-b-agentry-leader');
  });

  it('writes the gateway, network policy and runtime settings into the configuration (gateway.yaml)', async () => {
    const objects = await render(['gateway.yaml']);
    const fixture = parse(readFileSync(join(HELM_FIXTURES_DIR, 'gateway.yaml'), 'utf8')) as { config: Record<string, unknown> };
    const config = parseOperatorConfig(configText(objects));
    expect(config).toMatchObject(fixture.config);
    expect(operatorContainer(objects).image).toBe(
      'registry.example.com/mirror/agentry@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    expect(deployment(objects).spec.template.spec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
  });

  it('renders a ServiceMonitor for the metrics Service when asked and served (servicemonitor.yaml)', async () => {
    const objects = await render(['servicemonitor.yaml']);
    const monitor = findObject(objects, 'ServiceMonitor') as KubeObject & { spec: { selector: unknown; endpoints: unknown[] } };
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '15s', scrapeTimeout: '10s' }]);
    const service = findObject(objects, 'Service');
    expect(service.metadata.labels).toMatchObject((monitor.spec.selector as { matchLabels: Record<string, string> }).matchLabels);
    expect(service.metadata.annotations).toEqual({ 'example.com/scrape': 'false' });
  });

  it('refuses a ServiceMonitor the cluster does not serve, saying why', async () => {
    const result = await helmTemplateResult({ values: ['servicemonitor.yaml'] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('metrics.serviceMonitor.enabled is true, but the cluster does not serve monitoring.coreos.com/v1 ServiceMonitor');
  });

  it('renders no ServiceMonitor by default, even where the API is served', async () => {
    expect((await render()).some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });

  it.each(INVALID_FIXTURES)('refuses invalid/%s with a message naming the field', async (file) => {
    const text = readFileSync(join(HELM_FIXTURES_DIR, 'invalid', file), 'utf8');
    const expects = text
      .split('\n')
      .filter((l) => l.startsWith('# expect: '))
      .map((l) => l.slice('# expect: '.length).trim());
    expect(expects.length).toBeGreaterThan(0);
    const result = await helmTemplateResult({ values: [join(HELM_FIXTURES_DIR, 'invalid', file)] });
    expect(result.code).not.toBe(0);
    for (const e of expects) expect(result.stderr).toContain(e);
  });
});
