// A control plane of the benchmark's own (one per phase, so the operator and the direct-apply limit
// both start from an empty cluster): kwok nodes with room for every pod, the controllers that make
// Deployments Available, the Agentry CRDs, and the namespaces and ModelConfigs of the workload.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlPlane, installCrds } from '../control-plane/control-plane.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { forEachLimit } from './pool.js';
import { GATEWAY_NAMESPACE, modelConfig, namespaceObject, namespacesOf, type WorkloadOptions } from './workload.js';

const crdDir = fileURLToPath(new URL('../../crds', import.meta.url));
/** Pods one kwok node takes (its `pods` capacity in hack/control-plane), with some headroom. */
const PODS_PER_NODE = 900;
/**
 * The controllers' API clients are throttled to 20 qps (kube-controller-manager) and 50 qps
 * (kube-scheduler) by default: at 1,000 Deployments (a ReplicaSet, a pod, an EndpointSlice and
 * several status updates each) they, not the operator, would set the pace of both phases and hide
 * the difference the benchmark is after. Raised like a large cluster's control plane would be.
 */
const CONTROLLER_ARGS = {
  'kube-controller-manager': ['--kube-api-qps=500', '--kube-api-burst=1000', '--concurrent-deployment-syncs=20', '--concurrent-replicaset-syncs=20', '--concurrent-service-endpoint-syncs=20'],
  'kube-scheduler': ['--kube-api-qps=500', '--kube-api-burst=1000'],
};

export interface BenchCluster {
  cp: ControlPlane;
  connection: KubeConnection;
  kubeconfig: string;
  auditLog: string;
  nodes: number;
  stop(): Promise<void>;
}

export async function startBenchCluster(agents: number, log: (m: string) => void): Promise<BenchCluster> {
  const nodes = Math.max(1, Math.ceil(agents / PODS_PER_NODE));
  const cp = await ControlPlane.start({ nodes, controllers: true, extraArgs: CONTROLLER_ARGS, log: (m) => log(`[control-plane] ${m}`) });
  const info = cp.describe();
  const connection = KubeConnection.fromKubeconfigFile(info.kubeconfig);
  const admin = new KubeClient(connection, { userAgent: 'agentry-bench-setup' });
  try {
    await installCrds(admin, crdDir);
  } finally {
    admin.close();
  }
  return { cp, connection, kubeconfig: info.kubeconfig, auditLog: join(info.dir, 'audit.log'), nodes, stop: () => cp.stop() };
}

/** Namespaces (the gateway's too) and one ModelConfig per namespace: set up before the clock starts. */
export async function prepareNamespaces(connection: KubeConnection, workload: WorkloadOptions): Promise<void> {
  const client = new KubeClient(connection, { userAgent: 'agentry-bench-setup', maxSockets: 16 });
  try {
    const namespaces = namespacesOf(workload);
    await client.apply(namespaceObject(GATEWAY_NAMESPACE), { fieldManager: 'agentry-bench', force: true });
    await forEachLimit(namespaces, 16, async (ns) => {
      await client.create(namespaceObject(ns));
      await client.create(modelConfig(ns));
    });
  } finally {
    client.close();
  }
}
