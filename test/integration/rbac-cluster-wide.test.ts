// Least privilege, cluster-wide mode: the chart's default ClusterRole, and an operator that lists and
// watches every namespace as the chart's ServiceAccount, reconciling every path with nothing
// refused (test/harness/least-privilege-scenario.ts).
//
// It runs on a control plane of its own: a cluster-wide operator on the shared one would also
// reconcile the Agents of every other test file, with another configuration. That control plane
// also enforces OwnerReferencesPermissionEnforcement, as OpenShift and hardened clusters do: setting
// blockOwnerDeletion on a child then needs update on agents/finalizers.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';
import { ControlPlane, installCrds } from '../../hack/control-plane/control-plane.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { ensureHelm } from '../harness/chart-install.js';
import { TestNamespaces } from '../harness/cluster.js';
import { leastPrivilegeScenario } from '../harness/least-privilege-scenario.js';

const crdDir = fileURLToPath(new URL('../../crds', import.meta.url));
let cp: ControlPlane | undefined;
let admin: KubeClient | undefined;
const kc = new k8s.KubeConfig();

beforeAll(async () => {
  await ensureHelm(); // built from its Go module on first use
  // One kwok node: Deployments become Available, so Ready is exercised too.
  cp = await ControlPlane.start({ nodes: 1, extraArgs: { 'kube-apiserver': ['--enable-admission-plugins=OwnerReferencesPermissionEnforcement'] } });
  admin = new KubeClient(KubeConnection.fromKubeconfigFile(cp.kubeconfigPath));
  kc.loadFromFile(cp.kubeconfigPath);
  await installCrds(admin, crdDir);
}, 600_000);

afterAll(async () => {
  admin?.close();
  await cp?.stop();
}, 60_000);

describe('the operator as the Helm chart ServiceAccount, cluster-wide (a ClusterRole)', () => {
  it('reconciles every path with no request refused', async () => {
    if (!cp || !admin) throw new Error('no control plane');
    const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));
    await leastPrivilegeScenario({ admin, createNamespace: (prefix) => namespaces.create(prefix), auditDir: cp.describe().dir }, { namespaced: false });
  }, 240_000);
});
