// The optional CRDs, on a control plane of this test's own that has neither the Gateway API CRDs
// nor the RemoteAgent CRD (a Helm upgrade from before RemoteAgents, a cluster without a gateway):
// the operator, configured with a gateway, finds by discovery that HTTPRoutes and ReferenceGrants
// are not served, says so, becomes ready (no informer on a resource that can never list) and
// manages Agents without routes; installing the RemoteAgent CRD later does not disturb it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';

import { ControlPlane, waitForCrdsEstablished } from '../../hack/control-plane/control-plane.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { eventually } from '../harness/cluster.js';
import { OperatorProcess } from '../harness/operator-process.js';
import { LEVEL, waitForLog } from '../harness/operator-process-waits.js';
import { REPO_ROOT } from '../unit/install/support/paths.js';

const AGENT = 'agentry.dev/v1alpha1';
const NS = 'optional-crds';
const GATEWAY_API_WARNING = 'the Gateway API CRDs are not installed: HTTPRoutes and ReferenceGrants will not be managed';
const REMOTE_AGENT_WARNING = 'the RemoteAgent CRD is not installed (apply crds/: Helm does not upgrade CRDs): RemoteAgents will not be managed';

interface AgentObject extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
}

let cp: ControlPlane | undefined;
let admin: KubeClient | undefined;
let op: OperatorProcess | undefined;

function client(): KubeClient {
  if (!admin) throw new Error('no control plane');
  return admin;
}

async function installCrdFiles(files: string[]): Promise<void> {
  const names: string[] = [];
  for (const file of files) {
    const crd = YAML.parse(await readFile(join(REPO_ROOT, 'crds', file), 'utf8')) as KubeObject;
    await client().apply(crd, { fieldManager: 'agentry-test', force: true });
    names.push(crd.metadata.name);
  }
  await waitForCrdsEstablished(client(), names);
}

const byoAgent = (name: string): KubeObject => ({
  apiVersion: AGENT,
  kind: 'Agent',
  metadata: { name, namespace: NS },
  // a2aConfig: exposed through the gateway by default (gateway.enabled), were the Gateway API there.
  spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.0.0' }, a2aConfig: { skills: [{ id: 'answer', name: 'Answer' }] } },
});
const condition = (a: AgentObject | undefined, type: string) => a?.status?.conditions?.find((c) => c.type === type);

/** Waits until the Agent is Accepted with its Deployment and Service, and returns it. */
async function reconciled(name: string): Promise<AgentObject> {
  const agent = await eventually(async () => {
    const a = await client().find<AgentObject>(AGENT, 'Agent', NS, name);
    return condition(a, 'Accepted')?.status === 'True' && condition(a, 'Routed') ? a : undefined;
  }, 30_000);
  expect(await client().find('apps/v1', 'Deployment', NS, name)).toBeDefined();
  expect(await client().find('v1', 'Service', NS, name)).toBeDefined();
  return agent;
}

beforeAll(async () => {
  cp = await ControlPlane.start({ gatewayApi: false });
  admin = new KubeClient(KubeConnection.fromKubeconfigFile(cp.kubeconfigPath));
  await installCrdFiles(['agentry.dev_agents.yaml', 'agentry.dev_modelconfigs.yaml']);
  await client().apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, { fieldManager: 'agentry-test' });
}, 120_000);

afterAll(async () => {
  await op?.kill();
  admin?.close();
  await cp?.stop();
}, 30_000);

describe('without the Gateway API and RemoteAgent CRDs', () => {
  it('becomes ready, says what it will not manage, and gives an Agent its children without a route', async () => {
    op = await OperatorProcess.start({
      kubeconfig: String(cp?.kubeconfigPath),
      config: {
        watchNamespaces: [NS],
        workers: 2,
        leaderElection: { enabled: false },
        gateway: { enabled: true, parentRefs: [{ name: 'agentgateway', namespace: 'agentgateway-system' }] },
      },
    });
    await op.ready(30_000);
    await waitForLog(op, (l) => l.level === LEVEL.warn && l.msg === GATEWAY_API_WARNING, 10_000, 'the Gateway API warning');
    await waitForLog(op, (l) => l.level === LEVEL.warn && l.msg === REMOTE_AGENT_WARNING, 10_000, 'the RemoteAgent warning');

    await client().apply(byoAgent('answerer'), { fieldManager: 'agentry-test' });
    const agent = await reconciled('answerer');
    expect(condition(agent, 'Routed')).toMatchObject({ status: 'False', reason: 'ExposureDisabled', message: expect.stringContaining('the Gateway API CRDs (HTTPRoute, ReferenceGrant) are not installed') });
    expect(op.logsMatching(/httproutes|referencegrants/i).filter((l) => typeof l.level === 'number' && l.level >= LEVEL.error)).toEqual([]);
  }, 60_000);

  it('keeps running and reconciling once the RemoteAgent CRD is installed (it manages RemoteAgents after a restart)', async () => {
    if (!op) throw new Error('no operator');
    await installCrdFiles(['agentry.dev_remoteagents.yaml']);
    await client().apply(byoAgent('second'), { fieldManager: 'agentry-test' });
    await reconciled('second');
    expect((await op.probe('/readyz')).status).toBe(200);
    expect(op.logs.filter((l) => typeof l.level === 'number' && l.level >= LEVEL.error)).toEqual([]);
  }, 60_000);
});
