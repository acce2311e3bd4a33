// The Helm chart on a real API server: every object it renders passes a strict server-side dry
// run, `helm install` creates the CRDs and the operator's objects (its pods are admitted under the
// restricted Pod Security profile), the RBAC it installs is what the authorizer enforces, and the
// documented CRD upgrade path works, and the roles it aggregates into the built-in admin, edit and
// view let the people who hold those use Agents. The operator image does not run on kwok's fake
// nodes: the objects are checked, not the operator.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';

import { installCrds, waitForCrdsEstablished } from '../../hack/control-plane/control-plane.js';
import { crdManifests } from '../../src/api/crd-manifests.js';
import { GROUP_VERSION } from '../../src/api/group-version.js';
import { KubeApiError } from '../../src/kube/kube-api-error.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { binary, eventually, connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { describeAccess, serviceAccountMay, type Access } from '../unit/install/support/access-review.js';
import { dryRunCreate } from '../unit/install/support/dry-run.js';
import { helmBinary, helmCli, helmEnv, helmTemplate, SERVICE_MONITOR_API } from '../unit/install/support/helm.js';
import { objectName, parseManifests } from '../unit/install/support/manifests.js';
import { namespacesOf, remapNamespaces } from '../unit/install/support/namespaces.js';
import { CHART_DIR, HELM_FIXTURES_DIR } from '../unit/install/support/paths.js';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
const stateDir = mkdtempSync(join(tmpdir(), 'agentry-helm-'));
const env = helmEnv(stateDir);
const releases: { name: string; namespace: string }[] = [];

const VALID_FIXTURES = readdirSync(HELM_FIXTURES_DIR).filter((f) => f.endsWith('.yaml')).sort();
const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' };
const AGENTRY_CRDS = ['agents.agentry.dev', 'modelconfigs.agentry.dev', 'remoteagents.agentry.dev'];

const hex = () => randomBytes(3).toString('hex');

/** The error a request failed with, or undefined when it succeeded. */
const failure = (request: Promise<unknown>): Promise<unknown> => request.then(() => undefined, (e: unknown) => e);

async function install(release: string, namespace: string, args: string[] = []): Promise<void> {
  releases.push({ name: release, namespace });
  await helmCli(['install', release, CHART_DIR, '--namespace', namespace, '--timeout', '2m', ...args], env);
}

async function uninstall(release: string, namespace: string): Promise<void> {
  await helmCli(['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '2m'], env);
  const i = releases.findIndex((r) => r.name === release && r.namespace === namespace);
  if (i >= 0) releases.splice(i, 1);
}

async function exists(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<boolean> {
  return (await client.find(apiVersion, kind, namespace, name)) !== undefined;
}

async function expectAccess(sa: { namespace: string; name: string }, allowed: Access[], denied: Access[]): Promise<void> {
  const answers = async (list: Access[]) => Promise.all(list.map(async (a) => [describeAccess(a), await serviceAccountMay(client, sa, a)] as const));
  expect(await answers(allowed)).toEqual(allowed.map((a) => [describeAccess(a), true]));
  expect(await answers(denied)).toEqual(denied.map((a) => [describeAccess(a), false]));
}

beforeAll(async () => {
  // The optional ServiceMonitor is validated against the Prometheus Operator's own CRD.
  await installCrds(client, await binary('prometheus-operator-crds', 'PROMETHEUS_OPERATOR_CRDS'));
  // Built from its Go module on first use (minutes on a cold cache).
  await helmBinary();
}, 600_000);

afterAll(async () => {
  for (const r of [...releases]) await uninstall(r.name, r.namespace).catch(() => undefined);
  await namespaces.deleteAll();
  client.close();
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe('the Helm chart on a real API server', () => {
  it.each(VALID_FIXTURES)('renders only objects that pass a strict server-side dry run with %s', async (file) => {
    const ns = await namespaces.create('helm-dry');
    const rendered = await helmTemplate({ release: `dry-${hex()}`, namespace: ns, values: [file], apiVersions: [SERVICE_MONITOR_API] });
    // The values name namespaces of their own (team-a, agentgateway-system ...): give each a fresh one.
    const map = new Map<string, string>();
    for (const other of namespacesOf(rendered).filter((n) => n !== ns)) map.set(other, await namespaces.create('helm-dry'));
    const objects = remapNamespaces(rendered, map);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) await dryRunCreate(client, o);
  }, 120_000);

  it('installs the CRDs and the operator cluster-wide, and uninstalls it leaving the CRDs', async () => {
    const ns = await namespaces.create('helm', RESTRICTED);
    const release = `agentry-${hex()}`;
    await install(release, ns);

    await waitForCrdsEstablished(client, AGENTRY_CRDS);
    for (const [apiVersion, kind, namespace, name] of [
      ['v1', 'ServiceAccount', ns, release],
      ['v1', 'ConfigMap', ns, `${release}-config`],
      ['v1', 'Service', ns, `${release}-metrics`],
      ['apps/v1', 'Deployment', ns, release],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, release],
      ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, release],
      ['rbac.authorization.k8s.io/v1', 'Role', ns, `${release}-leader-election`],
      ['rbac.authorization.k8s.io/v1', 'RoleBinding', ns, `${release}-leader-election`],
    ] as const) {
      expect({ object: `${kind} ${name}`, exists: await exists(apiVersion, kind, namespace, name) }).toEqual({ object: `${kind} ${name}`, exists: true });
    }

    // The namespace enforces "restricted": the ReplicaSet's pods are only created if they comply.
    const pods = await eventually(async () => {
      const list = await core.listNamespacedPod({ namespace: ns, labelSelector: `app.kubernetes.io/instance=${release}` });
      return list.items.length > 0 ? list.items : undefined;
    }, 60_000);
    expect(pods[0]?.spec?.securityContext?.runAsNonRoot).toBe(true);

    const sa = { namespace: ns, name: release };
    await expectAccess(
      sa,
      [
        { verb: 'watch', group: 'agentry.dev', resource: 'agents', namespace: 'anywhere' },
        { verb: 'patch', group: 'agentry.dev', resource: 'agents', subresource: 'status', namespace: 'anywhere' },
        { verb: 'create', group: 'apps', resource: 'deployments', namespace: 'anywhere' },
        { verb: 'delete', group: 'gateway.networking.k8s.io', resource: 'httproutes', namespace: 'anywhere' },
        { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: ns },
      ],
      [
        { verb: 'get', group: '', resource: 'secrets', namespace: ns },
        { verb: 'list', group: '', resource: 'secrets' },
        { verb: 'delete', group: 'agentry.dev', resource: 'agents', namespace: 'anywhere' },
        { verb: 'update', group: 'apps', resource: 'deployments', namespace: 'anywhere' },
        { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: 'anywhere' },
        { verb: 'delete', group: 'coordination.k8s.io', resource: 'leases', namespace: ns },
        { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: ns },
      ],
    );

    // A configuration change rolls the pods.
    const checksum = async () => {
      const d = await client.get<KubeObject & { spec: { template: { metadata: { annotations: Record<string, string> } } } }>('apps/v1', 'Deployment', ns, release);
      return d.spec.template.metadata.annotations['checksum/config'];
    };
    const before = await checksum();
    await helmCli(['upgrade', release, CHART_DIR, '--namespace', ns, '--reuse-values', '--set', 'config.workers=2', '--timeout', '2m'], env);
    expect(await checksum()).not.toBe(before);

    await uninstall(release, ns);
    expect(await exists('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, release)).toBe(false);
    expect(await exists('apps/v1', 'Deployment', ns, release)).toBe(false);
    // Helm never deletes what it installed from crds/: every Agent in the cluster would go with it.
    for (const crd of AGENTRY_CRDS) expect(await exists('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, crd)).toBe(true);
  }, 180_000);

  it('installs in namespaced mode with a Role per watched namespace and nothing cluster-wide', async () => {
    const ns = await namespaces.create('helm', RESTRICTED);
    const [teamA, teamB, elsewhere] = [await namespaces.create('team-a'), await namespaces.create('team-b'), await namespaces.create('other')];
    const release = `agentry-${hex()}`;
    await install(release, ns, ['--set-json', `config.watchNamespaces=${JSON.stringify([teamA, teamB])}`]);

    expect(await exists('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, release)).toBe(false);
    for (const n of [teamA, teamB]) expect(await exists('rbac.authorization.k8s.io/v1', 'Role', n, release)).toBe(true);
    await expectAccess(
      { namespace: ns, name: release },
      [
        { verb: 'list', group: 'agentry.dev', resource: 'agents', namespace: teamA },
        { verb: 'patch', group: 'apps', resource: 'deployments', namespace: teamB },
        { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: ns },
      ],
      [
        { verb: 'list', group: 'agentry.dev', resource: 'agents' },
        { verb: 'list', group: 'agentry.dev', resource: 'agents', namespace: elsewhere },
        { verb: 'create', group: '', resource: 'configmaps', namespace: elsewhere },
        { verb: 'create', group: '', resource: 'configmaps', namespace: ns },
      ],
    );
    await uninstall(release, ns);
  }, 180_000);

  it('lets whoever holds the built-in edit, admin or view ClusterRole in a namespace use Agents there', async () => {
    const ns = await namespaces.create('helm', RESTRICTED);
    const [tenantNs, elsewhere] = [await namespaces.create('tenant'), await namespaces.create('other')];
    const release = `agentry-${hex()}`;
    await install(release, ns);
    await waitForCrdsEstablished(client, AGENTRY_CRDS);

    // kube-controller-manager's clusterrole-aggregation controller copies the release's rules into
    // the built-in roles (view's rules reach edit and admin too, through edit's and view's own labels).
    const RBAC = 'rbac.authorization.k8s.io/v1';
    const rules = async (name: string) => ((await client.get(RBAC, 'ClusterRole', undefined, name)).rules ?? []) as unknown[];
    const [userEdit, userView] = await Promise.all([rules(`${release}-edit`), rules(`${release}-view`)]);
    const holds = (role: unknown[], wanted: unknown[]) => wanted.every((w) => role.some((r) => isDeepStrictEqual(r, w)));
    await eventually(async () => {
      const [admin, edit, view] = await Promise.all([rules('admin'), rules('edit'), rules('view')]);
      return holds(admin, [...userEdit, ...userView]) && holds(edit, [...userEdit, ...userView]) && holds(view, userView);
    }, 30_000, 200);

    const user = (role: string) => `${role}-${hex()}`;
    const [editorName, viewerName, adminName] = [user('tenant-editor'), user('tenant-viewer'), user('tenant-admin')];
    for (const [clusterRole, name] of [['edit', editorName], ['view', viewerName], ['admin', adminName]] as const) {
      await client.create({
        apiVersion: RBAC,
        kind: 'RoleBinding',
        metadata: { name: `${clusterRole}-${name}`, namespace: tenantNs },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
        subjects: [{ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' }],
      });
    }
    const editor = new KubeClient(connection(), { impersonate: { user: editorName } });
    const viewer = new KubeClient(connection(), { impersonate: { user: viewerName } });
    const admin = new KubeClient(connection(), { impersonate: { user: adminName } });
    const agent = (namespace: string, name = 'echo'): KubeObject => ({
      apiVersion: GROUP_VERSION,
      kind: 'Agent',
      metadata: { name, namespace },
      spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/echo-agent:1.0.0' } },
    });
    const modelConfig = (namespace: string, name = 'gpt'): KubeObject => ({
      apiVersion: GROUP_VERSION,
      kind: 'ModelConfig',
      metadata: { name, namespace },
      spec: { provider: 'OpenAI', model: 'gpt-4o-mini', apiKeySecret: { name: 'openai', key: 'api-key' } },
    });
    const statusPath = `/apis/${GROUP_VERSION}/namespaces/${tenantNs}/agents/echo/status`;
    try {
      // edit: create, get, update and delete Agents and ModelConfigs (the authorizer sees the
      // aggregated rules a moment after the controller writes them)...
      await eventually(() => editor.create(agent(tenantNs)), 20_000, 200);
      await editor.create(modelConfig(tenantNs));
      const created = await editor.get(GROUP_VERSION, 'Agent', tenantNs, 'echo');
      expect((await editor.get(GROUP_VERSION, 'ModelConfig', tenantNs, 'gpt')).metadata.name).toBe('gpt');
      await editor.patch(agent(tenantNs), { metadata: { labels: { team: 'a' } } });
      // ...but not their status, which is the operator's to write...
      const statusUpdate = await failure(editor.request('PUT', statusPath, { body: { ...created, status: { observedGeneration: 1 } } }));
      expect({ update: KubeApiError.isForbidden(statusUpdate) }).toEqual({ update: true });
      const statusPatch = await failure(editor.patch(agent(tenantNs), { status: { observedGeneration: 1 } }, 'merge', { subresource: 'status' }));
      expect({ patch: KubeApiError.isForbidden(statusPatch) }).toEqual({ patch: true });
      // ...and only in the namespace where they hold edit.
      expect(KubeApiError.isForbidden(await failure(editor.create(agent(elsewhere))))).toBe(true);

      // view: list and read, status included, and nothing else.
      const listed = await eventually(async () => (await viewer.list(GROUP_VERSION, 'Agent', tenantNs)).map((a) => a.metadata.name), 20_000, 200);
      expect(listed).toEqual(['echo']);
      expect((await viewer.list(GROUP_VERSION, 'ModelConfig', tenantNs)).map((m) => m.metadata.name)).toEqual(['gpt']);
      expect(((await viewer.request('GET', statusPath)) as KubeObject).metadata.name).toBe('echo');
      expect(KubeApiError.isForbidden(await failure(viewer.create(agent(tenantNs, 'viewers'))))).toBe(true);
      expect(KubeApiError.isForbidden(await failure(viewer.create(modelConfig(tenantNs, 'viewers'))))).toBe(true);
      expect(KubeApiError.isForbidden(await failure(viewer.delete(agent(tenantNs))))).toBe(true);

      // admin: what edit may.
      await eventually(() => admin.create(agent(tenantNs, 'admins')), 20_000, 200);
      expect(await admin.delete(agent(tenantNs, 'admins'))).toBe(true);

      expect(await editor.delete(agent(tenantNs))).toBe(true);
      expect(await editor.delete(modelConfig(tenantNs))).toBe(true);
    } finally {
      for (const c of [editor, viewer, admin]) c.close();
    }

    // The roles go with the release. (Whether the built-in roles lose the rules too depends on every
    // other install in the cluster: tests running alongside may have aggregated the same rules.)
    await uninstall(release, ns);
    for (const suffix of ['edit', 'view']) expect(await exists(RBAC, 'ClusterRole', undefined, `${release}-${suffix}`)).toBe(false);
  }, 180_000);

  it('publishes with `helm show crds` exactly crds/, which applies server-side over the installed CRDs', async () => {
    const shown = parseManifests(await helmCli(['show', 'crds', CHART_DIR], env), 'helm show crds');
    expect(shown).toEqual(crdManifests().map((m) => parseManifests(m.content)[0]));
    // The documented upgrade step (`kubectl apply --server-side --force-conflicts`): whoever created
    // the CRDs (helm install, another run), the apply takes over the fields and succeeds.
    for (const crd of shown) await client.apply(crd, { fieldManager: 'kubectl', force: true });
    await waitForCrdsEstablished(client, AGENTRY_CRDS);
  }, 60_000);

  it('renders the ServiceMonitor when the cluster serves its API (helm install --dry-run=server)', async () => {
    const ns = await namespaces.create('helm');
    const out = await helmCli(
      ['install', `sm-${hex()}`, CHART_DIR, '--namespace', ns, '--dry-run=server', '--values', join(HELM_FIXTURES_DIR, 'servicemonitor.yaml')],
      env,
    );
    // The manifests are between helm's MANIFEST: and NOTES: headings.
    const manifest = out.slice(out.indexOf('MANIFEST:') + 'MANIFEST:'.length, out.includes('\nNOTES:') ? out.indexOf('\nNOTES:') : undefined);
    const monitors = parseManifests(manifest, 'helm install --dry-run').filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors.map(objectName)).toEqual([expect.stringMatching(new RegExp(`^ServiceMonitor ${ns}/sm-`))]);
  }, 60_000);
});
