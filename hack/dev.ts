// `npm run dev`: a local control plane (binaries built on first use) with kwok nodes, until Ctrl-C.
import { ControlPlane } from './control-plane/control-plane.js';

const cp = await ControlPlane.start({ nodes: 1, controllers: true });
const info = cp.describe();
process.stderr.write(`\nAgentry dev environment is up. In another shell:\n  export KUBECONFIG=${info.kubeconfig}\n  kubectl get nodes\n\nCtrl-C stops everything.\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('\nstopping...\n');
  await cp.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
