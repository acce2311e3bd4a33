// `npm run dev`: a local control plane (binaries built on first use) with a kwok node, the Agentry
// CRDs, the operator running in this process, and config/samples applied. Ctrl-C stops everything.
// The operator uses config/samples/gateway/operator-config.yaml (agents routed through a Gateway in
// another namespace) unless AGENTRY_DEV_CONFIG names another config file.
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parseOperatorConfig } from '../src/config/operator-config.js';
import { KubeClient } from '../src/kube/kube-client.js';
import { KubeConnection } from '../src/kube/kube-connection.js';
import { startOperator } from '../src/operator/operator.js';
import { readFile } from 'node:fs/promises';
import { applyKustomizationResources } from './control-plane/apply-manifests.js';
import { ControlPlane, installCrds } from './control-plane/control-plane.js';

const path = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const configFile = process.env.AGENTRY_DEV_CONFIG ?? path('config/samples/gateway/operator-config.yaml');

const cp = await ControlPlane.start({ nodes: 1, controllers: true });
const info = cp.describe();
const connection = KubeConnection.fromKubeconfigFile(info.kubeconfig);
const client = new KubeClient(connection);
await installCrds(client, path('crds'));

const config = parseOperatorConfig(await readFile(configFile, 'utf8'), configFile);
const operator = await startOperator({
  connection,
  config: { ...config, leaderElection: { ...config.leaderElection, enabled: false } },
  logger: pino({ level: process.env.LOG_LEVEL ?? 'info' }),
  identity: 'dev',
  probeAddress: { host: '127.0.0.1', port: 0 },
});
await operator.leading;
await applyKustomizationResources(client, path('config/samples/gateway/kustomization.yaml'), 'agentry-dev');
await applyKustomizationResources(client, path('config/samples/kustomization.yaml'), 'agentry-dev');

process.stderr.write(`
Agentry dev environment is up: a control plane with ${info.nodes.length} kwok node(s), the operator, and config/samples.
In another shell:
  export KUBECONFIG=${info.kubeconfig}
  kubectl get nodes
  kubectl get agents -A
  kubectl get svc -n agentry-samples -o custom-columns=NAME:.metadata.name,APP_PROTOCOL:.spec.ports[0].appProtocol
  kubectl get httproutes -n agentgateway-system; kubectl get referencegrants,networkpolicies -n agentry-samples
(No gateway controller runs here, so Routed stays Unknown: GatewayNotReporting.)
Operator config: ${configFile}
Operator metrics: http://127.0.0.1:${operator.probePort}/metrics
Ctrl-C stops everything.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('\nstopping...\n');
  await operator.stop();
  client.close();
  await cp.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
