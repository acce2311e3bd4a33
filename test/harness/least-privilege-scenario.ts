// The reconcile suite run as the Helm chart's ServiceAccount: every path the operator has (children
// of Declarative and BYO agents with and without A2A, ModelConfigs, Events, updates, drift, pruning,
// routes in the agent's namespace and beside the gateway with a ReferenceGrant and a finalizer,
// deletion, status, the leader-election Lease) must converge, and nothing the operator asked for may
// have been refused: counted three ways, by the API server (audit log: every write, with the
// authorizer's decision), by the operator (rest_client_requests_total{code="403"}) and in its own
// warnings (list/watch and Lease requests are not in that metric; a refused one is logged).
//
// Used by rbac-cluster-wide.test.ts (ClusterRole) and rbac-namespaced.test.ts (a Role per namespace).
import { expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { LEADER_ELECTION_RULES, WATCHED_NAMESPACE_RULES } from '../../src/operator/rbac-requirements.js';
import type { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { permissions } from '../unit/install/support/rbac-rules.js';
import { auditEvents, isRefused, permissionOf, type AuditEvent } from './audit-log.js';
import { CapturingLogger, mentionsForbidden } from './capturing-logger.js';
import { applyChartRbac, deleteChartRbac, renderChart, waitForChartRbac, type ChartRender } from './chart-install.js';
import { eventually } from './cluster.js';
import { counterValue, startConfiguredOperator, type TestOperator } from './operator.js';
import { serviceAccountConnection, serviceAccountUser } from './service-account-token.js';

const AGENT = 'agentry.dev/v1alpha1';
const GW = 'gateway.networking.k8s.io';

export interface LeastPrivilegeCluster {
  /** The cluster's admin: the test's own hands (creates Agents, edits children, reads results). */
  admin: KubeClient;
  /** Creates a namespace that the test deletes afterwards. */
  createNamespace(prefix: string): Promise<string>;
  /** Where the API server writes audit.log (default: beside $KUBECONFIG). */
  auditDir?: string;
}

export interface LeastPrivilegeOptions {
  /** Namespaced mode: config.watchNamespaces, so the chart renders one Role per namespace. */
  namespaced: boolean;
}

interface AgentObject extends KubeObject {
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason: string }[] };
}
interface ServiceObject extends KubeObject {
  spec: { ports: { appProtocol?: string }[] };
}

/** What one operator run left behind for the final checks. */
interface Run {
  operator: TestOperator;
  logger: CapturingLogger;
}

/**
 * Writes the suite must have made (as the audit log names them): without them, "nothing was
 * refused" would prove less than it says.
 */
const MUST_EXERCISE = [
  'agentry.dev/agents:patch', // the cleanup finalizer
  'agentry.dev/agents/status:patch',
  'agentry.dev/remoteagents:patch', // its cleanup finalizer
  'agentry.dev/remoteagents/status:patch',
  'core/events:create',
  // Children are created (never applied into existence), patched when they change, pruned.
  'core/serviceaccounts:create',
  'core/serviceaccounts:delete',
  'core/configmaps:create',
  'core/configmaps:patch',
  'core/services:create',
  'core/services:patch',
  'apps/deployments:create',
  'apps/deployments:patch',
  'networking.k8s.io/networkpolicies:create',
  'networking.k8s.io/networkpolicies:delete',
  'gateway.networking.k8s.io/httproutes:create',
  'gateway.networking.k8s.io/httproutes:delete',
  'gateway.networking.k8s.io/referencegrants:create',
  'gateway.networking.k8s.io/referencegrants:delete',
  'coordination.k8s.io/leases:create',
  'coordination.k8s.io/leases:update',
];

const hex = () => randomBytes(3).toString('hex');
const condition = (a: AgentObject | undefined, type: string) => a?.status?.conditions?.find((c) => c.type === type);

export async function leastPrivilegeScenario(cluster: LeastPrivilegeCluster, options: LeastPrivilegeOptions): Promise<void> {
  const { admin } = cluster;
  const operatorNs = await cluster.createNamespace('agentry-system');
  const teamNs = await cluster.createNamespace('team');
  const gatewayNs = await cluster.createNamespace('gateway');
  const elsewhereNs = options.namespaced ? await cluster.createNamespace('elsewhere') : undefined;
  const release = `agentry-${hex()}`;
  const since = new Date();
  const runs: Run[] = [];
  const renders: ChartRender[] = [];

  const find = <T extends KubeObject>(apiVersion: string, kind: string, ns: string, name: string) => admin.find<T>(apiVersion, kind, ns, name);
  const agentOf = (name: string) => find<AgentObject>(AGENT, 'Agent', teamNs, name);
  const serviceOf = (name: string) => find<ServiceObject>('v1', 'Service', teamNs, name);
  const routeIn = (ns: string, name: string) => find(`${GW}/v1`, 'HTTPRoute', ns, name);
  const policyOf = (name: string) => find('networking.k8s.io/v1', 'NetworkPolicy', teamNs, name);
  const merge = (name: string, patch: unknown) => admin.patch({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: teamNs } }, patch, 'merge', { fieldManager: 'kubectl-edit' });
  const agent = (name: string, spec: Record<string, unknown>, ns = teamNs): KubeObject => ({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: ns }, spec });
  const skills = { skills: [{ id: 'answer', name: 'Answer', description: 'Answers questions', tags: ['test'] }] };
  const declarative = (modelConfig = 'default') => ({ type: 'Declarative', declarative: { systemMessage: 'You answer questions.', modelConfig } });
  const byo = { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.2.0', port: 9000 } };
  const modelConfig = (name: string): KubeObject => ({ apiVersion: AGENT, kind: 'ModelConfig', metadata: { name, namespace: teamNs }, spec: { provider: 'OpenAI', model: 'gpt-4o-mini', apiKeySecret: { name: 'openai', key: 'api-key' } } });
  const converged = async (name: string) => {
    const a = await agentOf(name);
    return a?.status?.observedGeneration === a?.metadata.generation && condition(a, 'Accepted')?.status === 'True' ? a : undefined;
  };

  // Which part of the suite is running, for the message of a step that never converges.
  let step = 'setup';
  const until = <T>(check: () => Promise<T | undefined | false>, timeoutMs?: number) =>
    eventually(check, timeoutMs).catch((err: unknown) => {
      throw new Error(`${step}: ${err instanceof Error ? err.message : String(err)}`);
    });

  /** Installs the chart's RBAC for these values and runs the operator as its ServiceAccount. */
  const runAsChart = async (values: Record<string, unknown>): Promise<Run> => {
    const render = await renderChart({ release, namespace: operatorNs, setJson: values });
    renders.push(render);
    await applyChartRbac(admin, render);
    await waitForChartRbac(admin, render);
    const connection = await serviceAccountConnection(admin, render.serviceAccount);
    const echo = process.env.AGENTRY_TEST_LOG_LEVEL ? pino({ level: process.env.AGENTRY_TEST_LOG_LEVEL }) : undefined;
    const logger = new CapturingLogger([], {}, echo);
    // What the chart's Deployment sets from the downward API: the Lease lives in the release namespace.
    process.env.POD_NAMESPACE = operatorNs;
    try {
      const operator = await startConfiguredOperator({ config: render.config, connection, logger, leadingTimeoutMs: 30_000 });
      const run = { operator, logger };
      runs.push(run);
      return run;
    } catch (err) {
      throw withRefusals(err, [logger]);
    }
  };

  const baseValues: Record<string, unknown> = {
    'config.gateway.parentRefs': [{ name: 'agentgateway', namespace: gatewayNs }],
    // Lets an Agent turn its NetworkPolicy off: the suite needs a NetworkPolicy to prune.
    'config.networkPolicy.allowOptOut': true,
    // And name a ServiceAccount of the platform's: the suite prunes the one Agentry made.
    'config.pods.allowedServiceAccountNames': ['platform-provided'],
    ...(options.namespaced ? { 'config.watchNamespaces': [teamNs] } : {}),
  };

  try {
    // Phase 1: routes in the agent's namespace.
    step = 'phase 1: start as the chart ServiceAccount';
    const first = await runAsChart(baseValues);
    await admin.create(modelConfig('default'));
    await admin.create(agent('decl-a2a', { ...declarative(), a2aConfig: skills }));
    await admin.create(agent('decl-plain', declarative()));
    await admin.create(agent('byo-a2a', { ...byo, a2aConfig: skills }));
    await admin.create(agent('byo-routed', { ...byo, a2aConfig: skills }));
    await admin.create(agent('byo-plain', byo));
    await admin.create(agent('needs-model', declarative('later')));
    if (elsewhereNs) await admin.create(agent('unwatched', byo, elsewhereNs));

    step = 'phase 1: children and status of every Agent';
    for (const name of ['decl-a2a', 'decl-plain', 'byo-a2a', 'byo-routed', 'byo-plain']) {
      await until(() => converged(name), 30_000);
      for (const [apiVersion, kind] of [['v1', 'ServiceAccount'], ['v1', 'ConfigMap'], ['apps/v1', 'Deployment'], ['v1', 'Service'], ['networking.k8s.io/v1', 'NetworkPolicy']] as const) {
        await until(() => find(apiVersion, kind, teamNs, name));
      }
    }
    step = 'phase 1: routes in the agent namespace';
    // A2A agents: appProtocol and a route beside them; the others neither.
    expect((await serviceOf('decl-a2a'))?.spec.ports[0]?.appProtocol).toBe('kgateway.dev/a2a');
    expect((await serviceOf('decl-plain'))?.spec.ports[0]?.appProtocol).toBeUndefined();
    await until(() => routeIn(teamNs, 'decl-a2a'));
    await until(() => routeIn(teamNs, 'byo-a2a'));
    expect(await routeIn(teamNs, 'byo-plain')).toBeUndefined();
    step = 'phase 1: Ready from the Deployment';
    // Status from the Deployment (kwok runs the pods).
    await until(async () => condition(await agentOf('byo-plain'), 'Ready')?.status === 'True', 60_000);

    step = 'phase 1: missing ModelConfig and its Event';
    // A missing ModelConfig: Accepted=False and a Warning Event, until it appears.
    await until(async () => condition(await agentOf('needs-model'), 'Accepted')?.reason === 'ModelConfigNotFound');
    await until(async () => {
      const events = await admin.list<KubeObject & { reason?: string; involvedObject?: { name?: string } }>('v1', 'Event', teamNs);
      return events.some((e) => e.involvedObject?.name === 'needs-model' && e.reason === 'ModelConfigNotFound');
    });
    await admin.create(modelConfig('later'));
    await until(() => converged('needs-model'));

    step = 'phase 1: a2aConfig removed';
    // Update: without a2aConfig, no appProtocol and no route (pruned).
    await merge('byo-a2a', { spec: { a2aConfig: null } });
    await until(async () => (await serviceOf('byo-a2a'))?.spec.ports[0]?.appProtocol === undefined);
    await until(async () => (await routeIn(teamNs, 'byo-a2a')) === undefined);

    step = 'phase 1: drift corrected';
    // Drift: appProtocol removed by hand is put back.
    await admin.patch({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'decl-a2a', namespace: teamNs } }, [{ op: 'remove', path: '/spec/ports/0/appProtocol' }], 'json', { fieldManager: 'kubectl-patch' });
    await until(async () => (await serviceOf('decl-a2a'))?.spec.ports[0]?.appProtocol === 'kgateway.dev/a2a');

    step = 'phase 1: NetworkPolicy pruned';
    // Pruning: a NetworkPolicy turned off is deleted.
    await merge('decl-plain', { spec: { exposure: { networkPolicy: { enabled: false } } } });
    await until(async () => (await policyOf('decl-plain')) === undefined);
    await until(() => converged('decl-plain'));
    step = 'phase 1: ServiceAccount pruned';
    // Pruning: the generated ServiceAccount goes once the Agent names its own.
    await merge('byo-plain', { spec: { deployment: { serviceAccountName: 'platform-provided' } } });
    await until(async () => (await find('v1', 'ServiceAccount', teamNs, 'byo-plain')) === undefined);
    await until(() => converged('byo-plain'));
    await first.operator.stop();

    // Phase 2: routes beside the gateway (chart upgraded with gateway.routeNamespace): the route
    // moves, with a ReferenceGrant in the agent's namespace and the cleanup finalizer on the Agent.
    step = 'phase 2: start with routes beside the gateway';
    // With remoteAgents.headersFromSecrets too: the chart then grants get on Secrets, which a
    // RemoteAgent's headersFrom needs.
    const second = await runAsChart({ ...baseValues, 'config.gateway.routeNamespace': gatewayNs, 'config.remoteAgents.headersFromSecrets': true });
    await until(() => routeIn(gatewayNs, `decl-a2a.${teamNs}`));
    await until(() => find(`${GW}/v1beta1`, 'ReferenceGrant', teamNs, 'decl-a2a'));
    await until(async () => (await routeIn(teamNs, 'decl-a2a')) === undefined);
    await until(async () => (await agentOf('decl-a2a'))?.metadata.finalizers?.includes('agentry.dev/cleanup'));

    step = 'phase 2: exposure off prunes route, grant and finalizer';
    // Exposure turned off: route (other namespace), grant and finalizer all go.
    await until(() => find(`${GW}/v1beta1`, 'ReferenceGrant', teamNs, 'byo-routed'));
    await merge('byo-routed', { spec: { exposure: { gateway: { enabled: false } } } });
    await until(async () => (await routeIn(gatewayNs, `byo-routed.${teamNs}`)) === undefined && (await find(`${GW}/v1beta1`, 'ReferenceGrant', teamNs, 'byo-routed')) === undefined);
    await until(async () => !((await agentOf('byo-routed'))?.metadata.finalizers ?? []).includes('agentry.dev/cleanup'));

    step = 'phase 2: deletion through the finalizer';
    // Deletion: the operator removes the route in the other namespace, then its finalizer.
    await admin.delete({ apiVersion: AGENT, kind: 'Agent', metadata: { name: 'decl-a2a', namespace: teamNs } });
    await until(async () => (await agentOf('decl-a2a')) === undefined && (await routeIn(gatewayNs, `decl-a2a.${teamNs}`)) === undefined, 30_000);

    step = 'phase 2: a RemoteAgent: its Secret read, its status, its route beside the gateway, deleted through the finalizer';
    await admin.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'remote-token', namespace: teamNs }, stringData: { value: 'Bearer t' } });
    await admin.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'remote-backend', namespace: teamNs }, spec: { ports: [{ port: 9000, protocol: 'TCP' }] } });
    const remote: KubeObject = {
      apiVersion: AGENT,
      kind: 'RemoteAgent',
      metadata: { name: 'remote', namespace: teamNs },
      spec: { service: { name: 'remote-backend', port: 9000 }, headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'remote-token', key: 'value' } }] },
    };
    await admin.create(remote);
    const remoteOf = () => find<AgentObject>(AGENT, 'RemoteAgent', teamNs, 'remote');
    // Nothing listens behind the Service: accepted (the Secret was read), and not reachable.
    await until(async () => condition(await remoteOf(), 'Reachable')?.reason === 'ConnectionFailed', 30_000);
    expect(condition(await remoteOf(), 'Accepted')?.status).toBe('True');
    await until(() => routeIn(gatewayNs, `remote.${teamNs}.remoteagent`));
    await until(() => find(`${GW}/v1beta1`, 'ReferenceGrant', teamNs, 'remote.remoteagent'));
    await until(async () => (await remoteOf())?.metadata.finalizers?.includes('agentry.dev/cleanup'));
    await admin.delete(remote);
    await until(async () => (await remoteOf()) === undefined && (await routeIn(gatewayNs, `remote.${teamNs}.remoteagent`)) === undefined, 30_000);

    step = 'phase 2: the Lease';
    // The Lease, in the release namespace, held by this operator after the first one released it.
    expect(second.operator.operator.isLeader()).toBe(true);
    expect(renders[1]?.config.leaderElection.leaseName).toBe(`${release}-leader`);
    const lease = await admin.get<KubeObject & { spec: { holderIdentity?: string; leaseTransitions?: number } }>('coordination.k8s.io/v1', 'Lease', operatorNs, `${release}-leader`);
    expect(lease.spec.holderIdentity).toBe(second.operator.userAgent);
    expect(lease.spec.leaseTransitions).toBeGreaterThanOrEqual(1);

    if (elsewhereNs) {
      // Outside the watched namespaces nothing happens (and nothing was attempted: see below).
      expect(await find('v1', 'Service', elsewhereNs, 'unwatched')).toBeUndefined();
      // The CRD defaults status to {} (docs/flux.md): nothing but the operator writes conditions.
      expect((await find<AgentObject>(AGENT, 'Agent', elsewhereNs, 'unwatched'))?.status?.conditions).toBeUndefined();
    }
    await second.operator.stop();

    step = 'nothing refused';
    // Nothing was refused: the operator's own count...
    for (const run of runs) {
      expect(await counterValue(run.operator.registry, 'rest_client_requests_total')).toBeGreaterThan(0);
      expect(await counterValue(run.operator.registry, 'rest_client_requests_total', { code: '403' })).toBe(0);
    }
    // ...its warnings and errors (refused lists, watches, Lease requests and Events are logged)...
    const problems = runs.flatMap((r) => r.logger.problems());
    if (problems.length > 0) process.stderr.write(`operator warnings/errors (none may be a refusal):\n${problems.map((p) => `  ${p.level}: ${p.text.slice(0, 400)}`).join('\n')}\n`);
    expect(problems.filter(mentionsForbidden).map((p) => p.text)).toEqual([]);
    // ...and the API server's record of every write, with the authorizer's decision.
    const serviceAccount = renders[0]?.serviceAccount;
    if (!serviceAccount) throw new Error('no chart was rendered');
    const writes = await auditEvents({ since, user: serviceAccountUser(serviceAccount), ...(cluster.auditDir ? { dir: cluster.auditDir } : {}) });
    expect(writes.filter(isRefused).map(describeEvent)).toEqual([]);
    const exercised = [...new Set(writes.map(permissionOf))].sort();
    process.stderr.write(`writes by ${serviceAccountUser(serviceAccount)}: ${writes.length}, permissions exercised: ${exercised.join(' ')}\n`);
    expect(exercised).toEqual(expect.arrayContaining(MUST_EXERCISE));
    // Every write is covered by the requirements the chart is checked against (an SSA patch that
    // creates an object also needs create: granted beside patch for every child kind).
    const required = new Set(permissions([...WATCHED_NAMESPACE_RULES, ...LEADER_ELECTION_RULES]));
    expect(exercised.filter((p) => !required.has(p))).toEqual([]);
  } catch (err) {
    // A step that never converged: say which requests were refused, if any, rather than only "timed out".
    throw withRefusals(err, runs.map((r) => r.logger));
  } finally {
    for (const run of runs) await run.operator.stop();
    delete process.env.POD_NAMESPACE;
    // Cluster-scoped roles outlive the test's namespaces.
    for (const render of renders) await deleteChartRbac(admin, render);
  }
}

function withRefusals(err: unknown, loggers: CapturingLogger[]): unknown {
  const refused = loggers.flatMap((l) => l.problems()).filter(mentionsForbidden);
  if (refused.length === 0 || !(err instanceof Error)) return err;
  return new Error(`${err.message}\nthe operator was refused:\n${refused.map((r) => `  ${r.text.slice(0, 500)}`).join('\n')}`, { cause: err });
}

function describeEvent(event: AuditEvent): string {
  return `${event.verb} ${event.requestURI} -> ${event.responseStatus?.code ?? '?'}`;
}
