// The Deployment that runs the agent: Agentry's runtime (Declarative) or the user's image (BYO).
//
// Only fields with a value are written (no `[]`, `{}` or null): the API server drops empty ones, and
// an emitted empty field would then differ from the live object on every comparison.
import type { AgentDeployment } from '../api/agent-deployment.js';
import { childMetadata } from './child-metadata.js';
import type { ContainerObject, DeploymentObject, PodSpecObject, Probe, ResourceRequirements, Volume } from './child-objects.js';
import { containerEnv } from './container-env.js';
import { podLabels, selectorLabels } from './labels.js';
import { containerSecurityContext, podSecurityContext } from './pod-security.js';
import { quantityText } from './quantity-text.js';
import type { RenderContext } from './render-context.js';
import { checkResourceRequirements } from './resource-requirements.js';
import {
  AGENT_CARD_KEY,
  AGENT_CARD_WELL_KNOWN_PATH,
  AGENT_CONFIG_KEY,
  AGENT_CONTAINER_NAME,
  AGENT_PORT_NAME,
  CONFIG_HASH_ANNOTATION,
  CONFIG_MOUNT_PATH,
  CONFIG_VOLUME_NAME,
  TMP_MOUNT_PATH,
  TMP_VOLUME_NAME,
  TOOL_CA_MOUNT_PATH,
  TOOL_CA_VOLUME_NAME,
} from './runtime-contract.js';
import { sortKeysDeep, sortedRecord } from './sorted-keys.js';

export const DEFAULT_REPLICAS = 1;

export function deployment(ctx: RenderContext, configHash: string): DeploymentObject {
  const overrides = ctx.agent.spec.deployment;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(ctx),
    spec: {
      replicas: overrides?.replicas ?? DEFAULT_REPLICAS,
      selector: { matchLabels: selectorLabels(ctx.name) },
      template: {
        metadata: {
          labels: podLabels(ctx.name, overrides?.podLabels),
          // The hash is ours: a podAnnotation of the same name is overwritten.
          annotations: sortedRecord({ ...(overrides?.podAnnotations ?? {}), [CONFIG_HASH_ANNOTATION]: configHash }),
        },
        spec: podSpec(ctx, overrides),
      },
    },
  };
}

function podSpec(ctx: RenderContext, overrides: AgentDeployment | undefined): PodSpecObject {
  return {
    serviceAccountName: overrides?.serviceAccountName ?? ctx.name,
    // Agents do not call the Kubernetes API; a mounted token would only be something to steal.
    automountServiceAccountToken: false,
    securityContext: podSecurityContext(overrides?.securityContext),
    containers: [agentContainer(ctx, overrides)],
    volumes: [
      { name: CONFIG_VOLUME_NAME, configMap: { name: ctx.name } },
      { name: TMP_VOLUME_NAME, emptyDir: {} },
      ...toolCaVolumes(ctx),
    ],
    ...(nonEmpty(overrides?.imagePullSecrets) && { imagePullSecrets: overrides.imagePullSecrets.map(({ name }) => ({ name })) }),
    ...(nonEmptyMap(overrides?.nodeSelector) && { nodeSelector: sortedRecord(overrides.nodeSelector) }),
    ...(nonEmpty(overrides?.tolerations) && { tolerations: overrides.tolerations.map((t) => sortKeysDeep(t)) }),
    ...(nonEmptyMap(overrides?.affinity) && { affinity: sortKeysDeep(overrides.affinity) }),
    ...(overrides?.priorityClassName !== undefined && { priorityClassName: overrides.priorityClassName }),
  };
}

function agentContainer(ctx: RenderContext, overrides: AgentDeployment | undefined): ContainerObject {
  const envFrom = overrides?.envFrom;
  const resources = containerResources(overrides);
  return {
    name: AGENT_CONTAINER_NAME,
    ...containerProgram(ctx),
    ports: [{ name: AGENT_PORT_NAME, containerPort: ctx.containerPort, protocol: 'TCP' }],
    env: containerEnv(ctx),
    ...(nonEmpty(envFrom) && { envFrom: envFrom.map((source) => sortKeysDeep(source)) }),
    ...(resources !== undefined && { resources }),
    volumeMounts: [
      { name: CONFIG_VOLUME_NAME, mountPath: CONFIG_MOUNT_PATH, readOnly: true },
      { name: TMP_VOLUME_NAME, mountPath: TMP_MOUNT_PATH },
      ...(ctx.tools.caBundles.length > 0 ? [{ name: TOOL_CA_VOLUME_NAME, mountPath: TOOL_CA_MOUNT_PATH, readOnly: true }] : []),
    ],
    readinessProbe: readinessProbe(ctx),
    securityContext: containerSecurityContext(overrides?.securityContext),
  };
}

/** The RemoteAgent tools' CA bundles, one projected volume of their ConfigMap keys (none without any). */
function toolCaVolumes(ctx: RenderContext): Volume[] {
  const bundles = ctx.tools.caBundles;
  if (bundles.length === 0) return [];
  const sources = bundles.map((b) => ({ configMap: { name: b.configMapKeyRef.name, items: [{ key: b.configMapKeyRef.key, path: b.file }] } }));
  return [{ name: TOOL_CA_VOLUME_NAME, projected: { sources } }];
}

/** Image, pull policy, command and args: the runtime pointed at its mounted config, or the user's program. */
function containerProgram(ctx: RenderContext): Pick<ContainerObject, 'image' | 'imagePullPolicy' | 'command' | 'args'> {
  const { spec } = ctx.agent;
  if (spec.type === 'BYO' && spec.byo !== undefined) {
    const { image, imagePullPolicy, command, args } = spec.byo;
    return {
      image,
      ...(imagePullPolicy !== undefined && { imagePullPolicy }),
      ...(nonEmpty(command) && { command: [...command] }),
      ...(nonEmpty(args) && { args: [...args] }),
    };
  }
  const runtimeArgs = ['--config', `${CONFIG_MOUNT_PATH}/${AGENT_CONFIG_KEY}`];
  if (ctx.speaksA2A) runtimeArgs.push('--agent-card', `${CONFIG_MOUNT_PATH}/${AGENT_CARD_KEY}`);
  return {
    image: spec.deployment?.image ?? ctx.config.agentRuntime.image,
    imagePullPolicy: spec.deployment?.imagePullPolicy ?? ctx.config.agentRuntime.imagePullPolicy,
    args: runtimeArgs,
  };
}

/**
 * An A2A server publishes its card at the well-known path, which makes a cheap, meaningful readiness
 * check. An agent without a2aConfig does not speak A2A and need not serve a card: for it, readiness
 * is its port accepting connections.
 */
function readinessProbe(ctx: RenderContext): Probe {
  if (ctx.speaksA2A) return { httpGet: { path: AGENT_CARD_WELL_KNOWN_PATH, port: AGENT_PORT_NAME } };
  return { tcpSocket: { port: AGENT_PORT_NAME } };
}

function containerResources(overrides: AgentDeployment | undefined): ResourceRequirements | undefined {
  checkResourceRequirements(overrides?.resources);
  const limits = quantities(overrides?.resources?.limits);
  const requests = quantities(overrides?.resources?.requests);
  if (limits === undefined && requests === undefined) return undefined;
  return { ...(limits !== undefined && { limits }), ...(requests !== undefined && { requests }) };
}

function quantities(map: Readonly<Record<string, number | string>> | undefined): Record<string, string> | undefined {
  if (!nonEmptyMap(map)) return undefined;
  const text: Record<string, string> = {};
  for (const [resource, value] of Object.entries(map)) text[resource] = quantityText(value);
  return sortedRecord(text);
}

function nonEmpty<T>(list: readonly T[] | undefined): list is readonly T[] {
  return list !== undefined && list.length > 0;
}

function nonEmptyMap<V>(map: Readonly<Record<string, V>> | undefined): map is Readonly<Record<string, V>> {
  return map !== undefined && Object.keys(map).length > 0;
}
