// GitOps for real: Flux's own source-, kustomize- and helm-controller (built by hack/binaries.sh
// flux) reconcile config/flux/ as a user would apply it, on a control plane of this test's own.
// The manifests are the files docs/flux.md shows, changed only where a test must: the URLs point at
// a git server and an OCI registry on 127.0.0.1 (the registry over plain HTTP: `insecure: true`).
//
//   - the operator from Git: a fixture commit of this working tree's config/, tagged with the
//     package's version; the CRDs, then the operator (dependsOn), its Deployment healthy;
//   - a tenant's Agents (the samples), applied as the tenant's ServiceAccount, healthy once the
//     operator (a real process, as the ServiceAccount Flux created for it) reconciles them; a broken
//     Agent fails the tenant's Kustomization with the message docs/flux.md shows;
//   - deleting the Kustomizations prunes the operator and leaves the CRDs;
//   - the operator from its Helm chart (pushed to the registry): install, an upgrade that replaces
//     the CRDs (`CreateReplace`), drift put back, and uninstall on deletion, CRDs left.
//
// Each stage prints its wall time; Flux polls health every 5 s, so most of it is Flux's own pace.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { mkdtemp, readFile, rm, writeFile, cp as copy } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import YAML from 'yaml';

import { readAuditLog, type AuditEvent } from '../../hack/bench/audit-log.js';
import { ensureBinaries, requirePath } from '../../hack/control-plane/binaries.js';
import { ControlPlane } from '../../hack/control-plane/control-plane.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { eventually } from '../harness/cluster.js';
import { GitServer } from '../harness/git-server.js';
import { OciRegistry } from '../harness/oci-registry.js';
import { OperatorProcess } from '../harness/operator-process.js';
import { requestToken, serviceAccountUser, tokenKubeConfig, writeKubeconfig } from '../harness/service-account-token.js';
import { helmBinary } from '../unit/install/support/helm.js';
import { parseManifests } from '../unit/install/support/manifests.js';
import { CHART_DIR, REPO_ROOT } from '../unit/install/support/paths.js';
import { runToolOk } from '../unit/install/support/run-tool.js';

const SOURCE = 'source.toolkit.fluxcd.io/v1';
const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io/v1';
const HELM = 'helm.toolkit.fluxcd.io/v2';
const AGENT = 'agentry.dev/v1alpha1';
const CRDS = ['agents.agentry.dev', 'modelconfigs.agentry.dev', 'remoteagents.agentry.dev'];
const OPERATOR_NAMESPACE = 'agentry-system';
const TENANT = 'finance';
/** The message docs/flux.md promises for a broken Agent (the tenant's expense-processor, given a ModelConfig that does not exist). */
const BROKEN_AGENT = 'expense-processor';
const MISSING_MODEL_CONFIG = 'gpt-5';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

interface FluxObject extends KubeObject {
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    lastHandledReconcileAt?: string;
    artifact?: { revision?: string; url?: string };
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    history?: { chartVersion?: string; status?: string }[];
  };
}

interface Ref {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

let cp: ControlPlane | undefined;
let admin: KubeClient | undefined;
let gitServer: GitServer | undefined;
let registry: OciRegistry | undefined;
let operator: OperatorProcess | undefined;
let work = '';
const kc = new k8s.KubeConfig();
const timings: [string, number][] = [];

function cluster(): { cp: ControlPlane; admin: KubeClient; git: GitServer; registry: OciRegistry } {
  if (!cp || !admin || !gitServer || !registry) throw new Error('the Flux control plane did not start');
  return { cp, admin, git: gitServer, registry };
}

/** Runs one stage of the scenario and prints its wall time. */
async function stage<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await run();
  } finally {
    const seconds = (Date.now() - started) / 1000;
    timings.push([name, seconds]);
    process.stderr.write(`[flux] ${name}: ${seconds.toFixed(1)}s\n`);
  }
}

/** The objects of a config/flux/ file, as docs/flux.md shows them. */
async function fluxManifests(file: string): Promise<KubeObject[]> {
  return parseManifests(await readFile(join(REPO_ROOT, 'config/flux', file), 'utf8'), file);
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject & { spec: Record<string, unknown> } {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found || typeof found.spec !== 'object' || found.spec === null) throw new Error(`no ${kind} ${name} in the manifests`);
  return found as KubeObject & { spec: Record<string, unknown> };
}

async function applyAll(objects: KubeObject[]): Promise<void> {
  // As `kubectl apply --server-side` would.
  for (const o of objects) await cluster().admin.apply(o, { fieldManager: 'kubectl', force: true });
}

function conditionOf(o: FluxObject | undefined, type: string): Condition | undefined {
  return o?.status?.conditions?.find((c) => c.type === type);
}

async function controllerLog(controller: string, lines = 15): Promise<string> {
  const text = await readFile(join(cluster().cp.describe().dir, `${controller}.log`), 'utf8').catch(() => '');
  return text.split('\n').slice(-lines - 1).join('\n');
}

/** Waits until `check` holds for the object; on timeout the error shows the object's conditions and the controller's last log lines. */
async function waitFor(ref: Ref, what: string, check: (o: FluxObject) => boolean, timeoutMs = 120_000, controller = 'kustomize-controller'): Promise<FluxObject> {
  let last: FluxObject | undefined;
  try {
    return await eventually(async () => {
      last = await cluster().admin.find<FluxObject>(ref.apiVersion, ref.kind, ref.namespace, ref.name);
      return last && check(last) ? last : undefined;
    }, timeoutMs, 250);
  } catch (err) {
    const conditions = JSON.stringify(last?.status?.conditions ?? last?.status ?? 'not found', null, 1);
    throw new Error(`${ref.kind} ${ref.namespace ?? ''}/${ref.name}: not ${what} (${String(err)}); conditions: ${conditions}\n${controller}:\n${await controllerLog(controller)}`, { cause: err });
  }
}

/** Ready=True for the object's current generation (and, when given, after the reconcile request `requestedAt`). */
function ready(requestedAt?: string): (o: FluxObject) => boolean {
  return (o) =>
    conditionOf(o, 'Ready')?.status === 'True' &&
    o.status?.observedGeneration === o.metadata.generation &&
    (requestedAt === undefined || o.status?.lastHandledReconcileAt === requestedAt);
}

/** The message of a Kustomization whose health check failed with `error` (after a duration that varies). */
function healthCheckFailed(error: string): RegExp {
  return new RegExp(`^health check failed after [0-9.hmsµn]+: ${error.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** What `flux reconcile` does: asks the controller to reconcile now; returns the request's token. */
async function requestReconcile(ref: Ref): Promise<string> {
  const at = new Date().toISOString();
  await cluster().admin.patch({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } }, {
    metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } },
  });
  return at;
}

/** The file names in a tar stream (ustar headers: name at 0, size in octal at 124, prefix at 345). */
function tarEntries(tar: Buffer): string[] {
  const names: string[] = [];
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    const field = (from: number, length: number) => header.subarray(from, from + length).toString('utf8').replace(/\0.*$/s, '');
    const name = field(0, 100);
    if (!name) break;
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    if (header[156] === 0x30 || header[156] === 0) names.push(prefix ? `${prefix}/${name}` : name);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

function nextPatch(version: string): string {
  return version.replace(/^(\d+\.\d+\.)(\d+).*$/, (_m, minor: string, patch: string) => `${minor}${Number(patch) + 1}`);
}

async function gone(apiVersion: string, kind: string, namespace: string | undefined, name: string, timeoutMs = 120_000): Promise<void> {
  await eventually(async () => (await cluster().admin.find(apiVersion, kind, namespace, name)) === undefined, timeoutMs, 250);
}

async function crdsPresent(): Promise<KubeObject[]> {
  return Promise.all(CRDS.map((name) => cluster().admin.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name)));
}

async function agents(): Promise<(KubeObject & { status?: { observedGeneration?: number; conditions?: Condition[] } })[]> {
  return cluster().admin.list(AGENT, 'Agent', TENANT);
}

beforeAll(async () => {
  // Built from their Go modules on first use (the Flux controllers take minutes on a cold cache).
  const binaries = await ensureBinaries(['crane']);
  await helmBinary();
  work = await mkdtemp(join(tmpdir(), 'agentry-flux-'));
  await stage('control plane with Flux (1 kwok node)', async () => {
    cp = await ControlPlane.start({ nodes: 1, flux: true });
    kc.loadFromFile(cp.kubeconfigPath);
    admin = new KubeClient(KubeConnection.fromKubeconfigFile(cp.kubeconfigPath));
    gitServer = await GitServer.start(join(work, 'git'));
    registry = await OciRegistry.start(requirePath(binaries, 'CRANE'), work);
  });
}, 3_600_000);

afterAll(async () => {
  await operator?.kill();
  await registry?.stop();
  await gitServer?.close();
  admin?.close();
  await cp?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  if (timings.length > 0) {
    const total = timings.reduce((sum, [, s]) => sum + s, 0);
    process.stderr.write(`[flux] stages: ${timings.map(([name, s]) => `${name} ${s.toFixed(1)}s`).join('; ')}; total ${total.toFixed(1)}s\n`);
  }
}, 120_000);

describe('config/flux reconciled by Flux', () => {
  const packageVersion = async () => (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  it('applies the CRDs, then the operator once they are established, from a release tag (kustomize/)', async () => {
    await stage('kustomize: CRDs, then the operator', async () => {
      const { admin, git, cp } = cluster();
      // The repository as a release would tag it: this working tree's config/, tagged with the package's version.
      await git.create('agentry');
      const tag = `v${await packageVersion()}`;
      const sha = await git.commit('agentry', { copy: { config: join(REPO_ROOT, 'config') }, write: { 'README.md': 'outside config/: ignored by the GitRepository\n' }, message: `Agentry ${tag}`, tags: [tag] });
      const objects = await fluxManifests('kustomize/agentry.yaml');
      find(objects, 'GitRepository', 'agentry').spec.url = git.url('agentry');
      const since = new Date();
      await applyAll(objects);

      const source = await waitFor({ apiVersion: SOURCE, kind: 'GitRepository', namespace: 'flux-system', name: 'agentry' }, 'Ready', ready(), 60_000, 'source-controller');
      expect(source.status?.artifact?.revision).toBe(`${tag}@sha1:${sha}`);
      const crds = await waitFor({ apiVersion: KUSTOMIZE, kind: 'Kustomization', namespace: 'flux-system', name: 'agentry-crds' }, 'Ready', ready());
      const operatorKs = await waitFor({ apiVersion: KUSTOMIZE, kind: 'Kustomization', namespace: 'flux-system', name: 'agentry' }, 'Ready', ready(), 180_000);
      expect(operatorKs.status?.lastAppliedRevision).toBe(`${tag}@sha1:${sha}`);
      // Its health check: the operator's Deployment is available (kwok runs its pod).
      expect(conditionOf(operatorKs, 'Healthy')).toMatchObject({ status: 'True', reason: 'Succeeded' });
      const deployment = await admin.get<KubeObject & { status?: { conditions?: Condition[] } }>('apps/v1', 'Deployment', OPERATOR_NAMESPACE, 'agentry');
      expect(deployment.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
      // What the prune below must remove, besides the Deployment and the namespace.
      await admin.get('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'agentry');
      await admin.get('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, 'agentry');
      // In order: the CRDs were applied (and Ready) before anything of the operator was.
      const writes = (await readAuditLog(join(cp.describe().dir, 'audit.log'), { contains: 'kustomize-controller', from: since.getTime() })).filter((e) => e.userAgent.startsWith('kustomize-controller'));
      const firstWrite = (resource: string, name: string) => writes.findIndex((e) => e.objectRef?.resource === resource && e.objectRef.name === name && e.verb !== 'delete');
      expect(firstWrite('customresourcedefinitions', 'agents.agentry.dev')).toBeGreaterThanOrEqual(0);
      expect(firstWrite('deployments', 'agentry')).toBeGreaterThan(firstWrite('customresourcedefinitions', 'agents.agentry.dev'));
      expect(Date.parse(conditionOf(crds, 'Ready')?.lastTransitionTime ?? '')).toBeLessThanOrEqual(Date.parse(conditionOf(operatorKs, 'Ready')?.lastTransitionTime ?? ''));
      expect(await crdsPresent()).toHaveLength(CRDS.length);

      // Only config/ is in the artifact (the GitRepository's ignore rules).
      const artifact = await fetch(source.status?.artifact?.url ?? '');
      const entries = tarEntries(gunzipSync(Buffer.from(await artifact.arrayBuffer())));
      expect(entries).toContain('config/crd/kustomization.yaml');
      expect(entries.filter((e) => !e.startsWith('config/'))).toEqual([]);

      // The next patch release is taken up by the semver range, CRDs first again.
      const next = `v${nextPatch(await packageVersion())}`;
      const nextSha = await git.commit('agentry', { write: { 'config/crd/NEXT': `${next}\n` }, message: `Agentry ${next}`, tags: [next] });
      await requestReconcile({ apiVersion: SOURCE, kind: 'GitRepository', namespace: 'flux-system', name: 'agentry' });
      for (const name of ['agentry-crds', 'agentry']) {
        await waitFor({ apiVersion: KUSTOMIZE, kind: 'Kustomization', namespace: 'flux-system', name }, `at ${next}`, (o) => ready()(o) && o.status?.lastAppliedRevision === `${next}@sha1:${nextSha}`);
      }
    });
  }, 300_000);

  it("applies the tenant's Agents as the tenant and is healthy once the operator reconciles them (tenant/)", async () => {
    await stage("tenant: Agents applied as the tenant's ServiceAccount, healthy once the operator runs", async () => {
      const { admin, git, cp } = cluster();
      // The gateway's namespace, where the operator configuration puts the HTTPRoutes.
      await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'agentgateway-system' } }, { fieldManager: 'kubectl', force: true });
      await git.create('finance-agents');
      const samples = ['secret-openai-credentials.yaml', 'modelconfig-default.yaml', 'agent-expense-processor.yaml', 'agent-currency-converter.yaml', 'agent-report-summarizer.yaml'];
      // And, beside the tenant's agents/, one more Agent for a probe of the health check (below).
      const probeAgent = { apiVersion: AGENT, kind: 'Agent', metadata: { name: 'probe' }, spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/probe:1.0.0' } } };
      await git.commit('finance-agents', {
        copy: Object.fromEntries(samples.map((f) => [`agents/${f}`, join(REPO_ROOT, 'config/samples', f)])),
        write: { 'probe/agent.yaml': YAML.stringify(probeAgent) },
        message: 'The finance agents',
      });
      const objects = await fluxManifests('tenant/finance-agents.yaml');
      find(objects, 'GitRepository', 'finance-agents').spec.url = git.url('finance-agents');
      const tenantRef = { apiVersion: KUSTOMIZE, kind: 'Kustomization', namespace: TENANT, name: 'finance-agents' };
      const since = new Date();
      await applyAll(objects);

      // The Agents are applied, and wait for an operator: before its first status write, the health
      // check holds them in progress, not Unknown with an evaluation error. A copy of the tenant's
      // Kustomization with a short timeout shows what Flux thinks of such an Agent.
      await eventually(async () => (await agents()).length === 3, 120_000, 250);
      expect((await agents()).map((a) => a.status)).toEqual([{}, {}, {}]);
      const probe = structuredClone(find(objects, 'Kustomization', 'finance-agents'));
      probe.metadata = { name: 'finance-agents-probe', namespace: TENANT };
      probe.spec.path = './probe';
      // The shortest health-check timeout Flux allows.
      probe.spec.timeout = '30s';
      await admin.apply(probe, { fieldManager: 'kubectl', force: true });
      const probed = await waitFor({ ...tenantRef, name: 'finance-agents-probe' }, 'failed', (o) => conditionOf(o, 'Ready')?.status === 'False' && conditionOf(o, 'Ready')?.reason === 'HealthCheckFailed', 120_000);
      expect(conditionOf(probed, 'Ready')?.message).toMatch(healthCheckFailed(`timeout waiting for: [Agent/${TENANT}/probe status: 'InProgress']`));
      await admin.delete({ apiVersion: KUSTOMIZE, kind: 'Kustomization', metadata: { name: 'finance-agents-probe', namespace: TENANT } });
      await gone(AGENT, 'Agent', TENANT, 'probe');
      expect(conditionOf(await admin.get<FluxObject>(KUSTOMIZE, 'Kustomization', TENANT, 'finance-agents'), 'Ready')?.status).not.toBe('True');

      // The operator, as the Deployment Flux applied would run it: its ServiceAccount, its configuration.
      const configMap = (await admin.list<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', OPERATOR_NAMESPACE)).find((c) => c.metadata.name.startsWith('agentry-config'));
      const configYaml = configMap?.data?.['config.yaml'];
      if (!configYaml) throw new Error('Flux applied no agentry-config ConfigMap');
      const config = YAML.parse(configYaml) as Record<string, unknown>;
      expect(config).toMatchObject({ gateway: { routeNamespace: 'agentgateway-system' }, leaderElection: { leaseName: 'agentry-leader' } });
      const sa = { namespace: OPERATOR_NAMESPACE, name: 'agentry' };
      const kubeconfig = join(work, 'operator-kubeconfig');
      await writeKubeconfig(tokenKubeConfig(kc, await requestToken(admin, sa), serviceAccountUser(sa)), kubeconfig);
      operator = await OperatorProcess.start({ kubeconfig, config, env: { POD_NAMESPACE: OPERATOR_NAMESPACE, POD_NAME: 'agentry-flux-test' } });
      await operator.ready();

      const tenant = await waitFor(tenantRef, 'Ready', ready(), 180_000);
      expect(conditionOf(tenant, 'Healthy')?.status).toBe('True');
      for (const agent of await agents()) {
        expect({ agent: agent.metadata.name, ready: agent.status?.conditions?.find((c) => c.type === 'Ready')?.status }).toEqual({ agent: agent.metadata.name, ready: 'True' });
      }
      // Applied as the tenant: kustomize-controller impersonated the tenant's ServiceAccount.
      type Impersonated = AuditEvent & { impersonatedUser?: { username?: string } };
      const creates = ((await readAuditLog(join(cp.describe().dir, 'audit.log'), { contains: '"resource":"agents"', from: since.getTime() })) as Impersonated[]).filter(
        (e) => e.verb === 'patch' && e.objectRef?.namespace === TENANT && e.objectRef.subresource === undefined && e.userAgent.startsWith('kustomize-controller'),
      );
      expect(creates.length).toBeGreaterThanOrEqual(3);
      expect(new Set(creates.map((e) => e.impersonatedUser?.username))).toEqual(new Set([serviceAccountUser({ namespace: TENANT, name: 'flux-reconciler' })]));
    });
  }, 600_000);

  it('fails the tenant Kustomization when an Agent is broken, with the message docs/flux.md shows', async () => {
    await stage('tenant: a broken Agent fails the Kustomization', async () => {
      const { admin, git } = cluster();
      const tenantRef = { apiVersion: KUSTOMIZE, kind: 'Kustomization', namespace: TENANT, name: 'finance-agents' };
      const sourceRef = { apiVersion: SOURCE, kind: 'GitRepository', namespace: TENANT, name: 'finance-agents' };
      const sample = await readFile(join(REPO_ROOT, 'config/samples/agent-expense-processor.yaml'), 'utf8');
      const broken = sample.replace('modelConfig: default', `modelConfig: ${MISSING_MODEL_CONFIG}`);
      expect(broken).not.toBe(sample);
      const brokenSha = await git.commit('finance-agents', { write: { 'agents/agent-expense-processor.yaml': broken }, message: 'A ModelConfig that does not exist' });
      await requestReconcile(sourceRef);
      const failed = await waitFor(
        tenantRef,
        'failed',
        (o) => conditionOf(o, 'Ready')?.status === 'False' && conditionOf(o, 'Ready')?.reason === 'HealthCheckFailed' && o.status?.lastAttemptedRevision === `main@sha1:${brokenSha}`,
        120_000,
      );
      const message = conditionOf(failed, 'Ready')?.message ?? '';
      process.stderr.write(`[flux] the tenant's Kustomization with a broken Agent: ${message}\n`);
      const failedMessage = healthCheckFailed(`failed early due to stalled resources: [Agent/${TENANT}/${BROKEN_AGENT} status: 'Failed']`);
      expect(message).toMatch(failedMessage);
      // Where the reason is: the Agent's Accepted condition.
      const agent = await admin.get<KubeObject & { status?: { conditions?: Condition[] } }>(AGENT, 'Agent', TENANT, BROKEN_AGENT);
      const accepted = agent.status?.conditions?.find((c) => c.type === 'Accepted');
      expect(accepted).toMatchObject({ status: 'False', reason: 'ModelConfigNotFound' });
      // docs/flux.md shows both, word for word.
      const docs = await readFile(join(REPO_ROOT, 'docs/flux.md'), 'utf8');
      expect(docs.split('\n').filter((line) => failedMessage.test(line))).toHaveLength(1);
      expect({ inDocs: docs.includes(`${accepted?.reason ?? ''}: ${accepted?.message ?? ''}`) }).toEqual({ inDocs: true });

      // Fixed in Git, the Kustomization is healthy again.
      const fixedSha = await git.commit('finance-agents', { write: { 'agents/agent-expense-processor.yaml': sample }, message: 'Back to the default ModelConfig' });
      await requestReconcile(sourceRef);
      await waitFor(tenantRef, 'Ready', (o) => ready()(o) && o.status?.lastAppliedRevision === `main@sha1:${fixedSha}`, 180_000);
    });
  }, 400_000);

  it('prunes the operator and leaves the CRDs (and the Agents) when its Kustomizations are deleted', async () => {
    await stage('kustomize: deleting the Kustomizations prunes the operator, leaves the CRDs', async () => {
      const { admin } = cluster();
      // The operator runs as the ServiceAccount about to be pruned.
      await operator?.kill();
      operator = undefined;
      for (const name of ['agentry', 'agentry-crds']) await admin.delete({ apiVersion: KUSTOMIZE, kind: 'Kustomization', metadata: { name, namespace: 'flux-system' } });
      await gone(KUSTOMIZE, 'Kustomization', 'flux-system', 'agentry');
      await gone(KUSTOMIZE, 'Kustomization', 'flux-system', 'agentry-crds');
      await admin.delete({ apiVersion: SOURCE, kind: 'GitRepository', metadata: { name: 'agentry', namespace: 'flux-system' } });
      await gone('apps/v1', 'Deployment', OPERATOR_NAMESPACE, 'agentry');
      await gone('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, 'agentry');
      await gone('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'agentry');
      // The namespace too (it is part of config/operator); the Helm install below recreates it.
      await gone('v1', 'Namespace', undefined, OPERATOR_NAMESPACE, 180_000);
      expect(await crdsPresent()).toHaveLength(CRDS.length);
      expect(await agents()).toHaveLength(3);
    });
  }, 300_000);

  it('installs the operator from its chart, replaces the CRDs on upgrade and puts back drift (helm/)', async () => {
    const { admin, git, registry } = cluster();
    const helm = await helmBinary();
    const helmEnv = { ...process.env, HELM_CACHE_HOME: join(work, 'helm/cache'), HELM_CONFIG_HOME: join(work, 'helm/config'), HELM_DATA_HOME: join(work, 'helm/data') };
    const push = async (chartDir: string) => {
      const packaged = (await runToolOk(helm, ['package', chartDir, '--destination', join(work, 'charts')], { env: helmEnv })).trim().split(' ').pop() ?? '';
      await runToolOk(helm, ['push', packaged, registry.url('charts'), '--plain-http'], { env: helmEnv });
    };
    const chartVersion = (YAML.parse(await readFile(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { version: string }).version;
    const releaseRef = { apiVersion: HELM, kind: 'HelmRelease', namespace: 'flux-system', name: 'agentry' };
    const sourceRef = { apiVersion: SOURCE, kind: 'OCIRepository', namespace: 'flux-system', name: 'agentry' };
    // The chart version in the history carries the OCI artifact's digest as build metadata (0.1.0+7de0cf280066).
    const installed = (version: string) => (o: FluxObject) => ready()(o) && o.status?.history?.[0]?.chartVersion?.split('+')[0] === version && o.status.history[0].status === 'deployed';

    await stage('helm: install from the chart in the registry', async () => {
      await push(CHART_DIR);
      expect(await registry.tags('charts/agentry')).toEqual([chartVersion]);
      // The fleet repository (`flux bootstrap` makes one, and its flux-system GitRepository) with
      // helm/agentry.yaml as infrastructure/agentry/, applied by helm/sync.yaml.
      const release = await fluxManifests('helm/agentry.yaml');
      const oci = find(release, 'OCIRepository', 'agentry');
      oci.spec.url = registry.url('charts/agentry');
      oci.spec.insecure = true;
      await git.create('fleet');
      await git.commit('fleet', { write: { 'infrastructure/agentry/agentry.yaml': release.map((o) => YAML.stringify(o)).join('---\n') }, message: 'Agentry from its chart' });
      await applyAll([{ apiVersion: SOURCE, kind: 'GitRepository', metadata: { name: 'flux-system', namespace: 'flux-system' }, spec: { interval: '1h', url: git.url('fleet'), ref: { branch: 'main' } } }]);
      await applyAll(await fluxManifests('helm/sync.yaml'));
      await waitFor(releaseRef, `installed (${chartVersion})`, installed(chartVersion), 240_000, 'helm-controller');
      await waitFor({ apiVersion: KUSTOMIZE, kind: 'Kustomization', namespace: 'flux-system', name: 'agentry' }, 'Ready', ready(), 120_000);
      const deployment = await admin.get<KubeObject & { spec?: { replicas?: number } }>('apps/v1', 'Deployment', OPERATOR_NAMESPACE, 'agentry');
      expect(deployment.spec?.replicas).toBe(2);
    });

    await stage('helm: an upgrade replaces the CRDs (CreateReplace)', async () => {
      // The next patch release of the chart, whose Agent CRD says something new.
      const next = join(work, 'chart-next');
      await copy(CHART_DIR, next, { recursive: true });
      const nextVersion = nextPatch(chartVersion);
      const chart = YAML.parse(await readFile(join(next, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(next, 'Chart.yaml'), YAML.stringify({ ...chart, version: nextVersion }));
      const crdFile = join(next, 'crds/agentry.dev_agents.yaml');
      const crd = YAML.parse(await readFile(crdFile, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: { description: string } } }[] } };
      const description = `${crd.spec.versions[0]?.schema.openAPIV3Schema.description ?? ''} (chart ${nextVersion})`;
      for (const v of crd.spec.versions) v.schema.openAPIV3Schema.description = description;
      await writeFile(crdFile, `---\n${YAML.stringify(crd)}`);
      await push(next);
      await requestReconcile(sourceRef);
      await waitFor(releaseRef, `upgraded (${nextVersion})`, installed(nextVersion), 240_000, 'helm-controller');
      const live = await admin.get<KubeObject & { spec: { versions: { schema: { openAPIV3Schema: { description?: string } } }[] } }>('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'agents.agentry.dev');
      expect(live.spec.versions[0]?.schema.openAPIV3Schema.description).toBe(description);
    });

    await stage('helm: drift is put back', async () => {
      await admin.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'agentry', namespace: OPERATOR_NAMESPACE } }, { spec: { replicas: 1 } }, 'merge', { fieldManager: 'kubectl-edit' });
      const at = await requestReconcile(releaseRef);
      await waitFor(releaseRef, 'reconciled', ready(at), 120_000, 'helm-controller');
      await eventually(async () => (await admin.get<KubeObject & { spec?: { replicas?: number } }>('apps/v1', 'Deployment', OPERATOR_NAMESPACE, 'agentry')).spec?.replicas === 2, 60_000, 250);
    });
  }, 900_000);

  it('uninstalls the operator and leaves the CRDs (and the Agents) when the Kustomization is deleted (helm/)', async () => {
    await stage('helm: deleting the Kustomization uninstalls the operator, leaves the CRDs', async () => {
      const { admin } = cluster();
      await admin.delete({ apiVersion: KUSTOMIZE, kind: 'Kustomization', metadata: { name: 'agentry', namespace: 'flux-system' } });
      await gone(KUSTOMIZE, 'Kustomization', 'flux-system', 'agentry');
      await gone(HELM, 'HelmRelease', 'flux-system', 'agentry');
      await gone('apps/v1', 'Deployment', OPERATOR_NAMESPACE, 'agentry');
      expect(await crdsPresent()).toHaveLength(CRDS.length);
      expect(await agents()).toHaveLength(3);
    });
  }, 300_000);
});
