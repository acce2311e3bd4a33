// A real Gateway API data plane for the local control plane: Traefik (one Go binary, controller and
// proxy; hack/binaries.sh builds it), run outside the cluster with the admin kubeconfig. It gets a
// GatewayClass of its own and one Gateway whose HTTP listener port is Traefik's entryPoint port (a
// listener must name a port Traefik listens on), on a free loopback port.
//
// Traefik sends traffic to each backend Service's ClusterIP and port (nativeLBByDefault), not to
// pod IPs: the control plane's Service range is inside 127.0.0.0/8, so a process bound to a
// Service's ClusterIP and port is what the gateway reaches. Nothing here listens on, or sends to,
// anything but loopback addresses; Traefik's update check and usage reporting are off.
import type { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
// A cycle (control-plane.ts starts the gateway), harmless: waitFor is only called, never read at load.
import { waitFor } from './control-plane.js';
import { freePort } from './free-port.js';
import type { ProcessGroup } from './process-group.js';

export const GATEWAY_NAMESPACE = 'agentry-gateway';
export const GATEWAY_NAME = 'traefik';
export const GATEWAY_CLASS_NAME = 'agentry-traefik';
export const TRAEFIK_CONTROLLER_NAME = 'traefik.io/gateway-controller';
const GATEWAY_API = 'gateway.networking.k8s.io/v1';

export interface GatewayInfo {
  /** Where clients reach the Gateway's listener, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** Traefik's own entryPoint, serving /ping. */
  pingPort: number;
  namespace: string;
  name: string;
  className: string;
  controllerName: string;
}

export interface TraefikOptions {
  processes: ProcessGroup;
  client: KubeClient;
  binary: string;
  kubeconfig: string;
  /** Extra Traefik flags (a log level, say). */
  extraArgs?: string[];
}

interface Condition {
  type: string;
  status: string;
}

/** Starts Traefik with its GatewayClass and Gateway, and waits until the Gateway is Programmed. */
export async function startTraefikGateway(options: TraefikOptions): Promise<GatewayInfo> {
  const port = await freePort();
  const pingPort = await freePort();
  const info: GatewayInfo = {
    url: `http://127.0.0.1:${port}`,
    port,
    pingPort,
    namespace: GATEWAY_NAMESPACE,
    name: GATEWAY_NAME,
    className: GATEWAY_CLASS_NAME,
    controllerName: TRAEFIK_CONTROLLER_NAME,
  };
  const { client } = options;
  const apply = (obj: KubeObject) => client.apply(obj, { fieldManager: 'agentry-harness', force: true });
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: GATEWAY_NAMESPACE } });
  await apply({ apiVersion: GATEWAY_API, kind: 'GatewayClass', metadata: { name: GATEWAY_CLASS_NAME }, spec: { controllerName: TRAEFIK_CONTROLLER_NAME } });
  await apply({
    apiVersion: GATEWAY_API,
    kind: 'Gateway',
    metadata: { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE },
    spec: {
      gatewayClassName: GATEWAY_CLASS_NAME,
      // Routes from every namespace: tests put them beside the agents or beside the gateway.
      listeners: [{ name: 'web', protocol: 'HTTP', port, allowedRoutes: { namespaces: { from: 'All' } } }],
    },
  });

  options.processes.start('traefik', options.binary, traefikArgs(port, pingPort, options.extraArgs ?? []), { ...process.env, KUBECONFIG: options.kubeconfig });
  await waitFor('traefik /ping', async () => (await fetch(`http://127.0.0.1:${pingPort}/ping`).then((r) => r.status, () => 0)) === 200, 30_000);
  await waitFor(`Gateway ${GATEWAY_NAMESPACE}/${GATEWAY_NAME} Programmed by Traefik`, async () => {
    const gw = await client.get<KubeObject & { status?: { conditions?: Condition[] } }>(GATEWAY_API, 'Gateway', GATEWAY_NAMESPACE, GATEWAY_NAME);
    return gw.status?.conditions?.some((c) => c.type === 'Programmed' && c.status === 'True') === true;
  }, 60_000);
  return info;
}

export function traefikArgs(port: number, pingPort: number, extra: readonly string[]): string[] {
  return [
    // Without these two Traefik calls out to the internet (a version check, usage statistics).
    '--global.checkNewVersion=false',
    '--global.sendAnonymousUsage=false',
    `--entryPoints.web.address=127.0.0.1:${port}`,
    // /ping lives on the `traefik` entryPoint, which otherwise listens on :8080 on every interface.
    `--entryPoints.traefik.address=127.0.0.1:${pingPort}`,
    '--ping=true',
    '--providers.kubernetesgateway=true',
    // The address Traefik reports in the Gateway's status.
    '--providers.kubernetesgateway.statusaddress.ip=127.0.0.1',
    // To Service ClusterIP:port instead of the EndpointSlices' pod IPs (kwok's, which run nothing).
    '--providers.kubernetesgateway.nativeLBByDefault=true',
    '--log.level=INFO',
    '--accesslog=true',
    ...extra,
  ];
}
