// Least privilege, namespaced mode: the chart with config.watchNamespaces renders a Role in each
// watched namespace (and in the routes namespace), nothing cluster-wide; the operator, run as the
// chart's ServiceAccount with the chart's configuration, reconciles every path with nothing refused
// and leaves a namespace it does not watch alone. (test/harness/least-privilege-scenario.ts)
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/kube-client.js';
import { ensureHelm } from '../harness/chart-install.js';
import { connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { leastPrivilegeScenario } from '../harness/least-privilege-scenario.js';
import { installAgentryCrds } from '../harness/operator.js';

const kc = kubeConfig();
const admin = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));

beforeAll(async () => {
  await installAgentryCrds();
  await ensureHelm(); // built from its Go module on first use
}, 600_000);

afterAll(async () => {
  await namespaces.deleteAll();
  admin.close();
});

describe('the operator as the Helm chart ServiceAccount, namespaced (a Role per watched namespace)', () => {
  it('reconciles every path with no request refused', async () => {
    await leastPrivilegeScenario({ admin, createNamespace: (prefix) => namespaces.create(prefix) }, { namespaced: true });
  }, 240_000);
});
