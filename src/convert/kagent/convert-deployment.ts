// kagent's pod settings (`SharedDeploymentSpec`) → Agentry's `spec.deployment`. Each piece is fitted
// to Agentry's own schema (an env var Agentry refuses costs that env var); what Agentry keeps fixed
// (volumes, sidecars, the restricted security profile, its own ServiceAccount) is reported.
import type { z } from 'zod';

import type { SecurityContextOverrides } from '../../api/agent-deployment.js';
import { agentDeploymentSchema, resourceRequirementsSchema, securityContextSchema, tolerationSchema } from '../../api/agent-deployment.js';
import type { ImagePullPolicy } from '../../api/container-image.js';
import { imagePullPolicySchema } from '../../api/container-image.js';
import type { EnvVar } from '../../api/env-var.js';
import { envVarSchema } from '../../api/env-var.js';
import { AGENT_ENV } from '../../render/runtime-contract.js';
import { fitAgentry } from '../agentry-fit.js';
import type { FieldPath, ObjectReport } from '../conversion-report.js';
import { isRecord } from '../../kube/kube-object.js';
import { isUnset, reportUnknownFields } from '../unconverted-fields.js';
import type { SharedDeployment } from './kagent-deployment.js';

export type AgentDeploymentInput = z.input<typeof agentDeploymentSchema>;

export interface ConvertedDeployment {
  deployment: AgentDeploymentInput | undefined;
  /** Declarative agents keep it in spec.deployment; a BYO agent's goes to spec.byo. */
  imagePullPolicy: ImagePullPolicy | undefined;
}

const field = agentDeploymentSchema.shape;
const OPERATOR_ENV: ReadonlySet<string> = new Set(Object.values(AGENT_ENV));
const TOOL_HEADER_ENV = /^AGENTRY_TOOL_[0-9]+_HEADER_[0-9]+$/;

const WHY = {
  volumes: "Agentry mounts only the agent's own configuration into its pod: extra volumes are not supported",
  serviceAccountConfig:
    'the operator creates the ServiceAccount without extra labels or annotations; for workload identity and the like, create the ServiceAccount yourself and name it in spec.deployment.serviceAccountName',
  extraContainers: 'an Agentry pod runs the agent container only: run sidecars another way',
  imageRegistry: "Agentry's runtime image comes from the operator configuration (agentRuntime.image) or spec.deployment.image",
  containerSecurity:
    'the agent container keeps the restricted Pod Security profile (no privilege escalation, all capabilities dropped, RuntimeDefault seccomp): of its security context only runAsUser, runAsGroup, runAsNonRoot and readOnlyRootFilesystem can be set',
  podSecurity: 'of the pod security context Agentry takes only runAsUser, runAsGroup, runAsNonRoot, fsGroup and supplementalGroups',
  root: "the pod would run as root: Agentry's pods run as non-root unless runAsNonRoot is false; set runAsUser: 0 with runAsNonRoot: false in spec.deployment.securityContext if the image must run as root (and the namespace's Pod Security allows it)",
} as const;

export function convertDeployment(
  source: SharedDeployment,
  schema: z.ZodObject,
  path: FieldPath,
  report: ObjectReport,
  type: 'Declarative' | 'BYO',
): ConvertedDeployment {
  const out: AgentDeploymentInput = {};
  let imagePullPolicy: ImagePullPolicy | undefined;
  if (source.replicas !== undefined) out.replicas = source.replicas;
  if (!isUnset(source.imagePullPolicy)) imagePullPolicy = fitAgentry(imagePullPolicySchema, source.imagePullPolicy, [...path, 'imagePullPolicy'], report);
  if (type === 'Declarative' && imagePullPolicy !== undefined) out.imagePullPolicy = imagePullPolicy;
  if (!isUnset(source.resources)) out.resources = fitAgentry(resourceRequirementsSchema, quantitiesAsText(source.resources ?? {}), [...path, 'resources'], report);
  if (source.env !== undefined) out.env = nonEmpty(convertEnv(source.env, [...path, 'env'], report));
  if (source.imagePullSecrets !== undefined) out.imagePullSecrets = nonEmpty(convertPullSecrets(source.imagePullSecrets, [...path, 'imagePullSecrets'], report));
  if (source.nodeSelector !== undefined) out.nodeSelector = nonEmpty(fitMap(field.nodeSelector.unwrap(), source.nodeSelector, [...path, 'nodeSelector'], report));
  if (source.tolerations !== undefined) {
    out.tolerations = nonEmpty(source.tolerations.flatMap((t, i) => fitAgentry(tolerationSchema, t, [...path, 'tolerations', i], report) ?? []));
  }
  if (!isUnset(source.affinity)) out.affinity = source.affinity;
  if (source.labels !== undefined) out.podLabels = nonEmpty(fitMap(field.podLabels.unwrap(), source.labels, [...path, 'labels'], report));
  if (source.annotations !== undefined) out.podAnnotations = nonEmpty(fitMap(field.podAnnotations.unwrap(), source.annotations, [...path, 'annotations'], report));
  if (!isUnset(source.serviceAccountName)) {
    out.serviceAccountName = fitAgentry(field.serviceAccountName.unwrap(), source.serviceAccountName, [...path, 'serviceAccountName'], report);
  }
  out.securityContext = convertSecurityContext(source.securityContext, source.podSecurityContext, path, report);

  if (!isUnset(source.volumes)) report.notConverted([...path, 'volumes'], WHY.volumes);
  if (!isUnset(source.volumeMounts)) report.notConverted([...path, 'volumeMounts'], WHY.volumes);
  if (!isUnset(source.serviceAccountConfig)) report.notConverted([...path, 'serviceAccountConfig'], WHY.serviceAccountConfig);
  if (!isUnset(source.extraContainers)) report.notConverted([...path, 'extraContainers'], WHY.extraContainers);
  if ('imageRegistry' in source && !isUnset(source.imageRegistry)) report.notConverted([...path, 'imageRegistry'], WHY.imageRegistry);
  reportUnknownFields(report, path, source, schema);

  return { deployment: Object.values(out).some((value) => value !== undefined) ? out : undefined, imagePullPolicy };
}

/** Later entries of the same name win, as in a pod; Agentry keeps env keyed by name. */
function convertEnv(env: readonly Record<string, unknown>[], path: FieldPath, report: ObjectReport): EnvVar[] {
  const byName = new Map<string, EnvVar>();
  env.forEach((variable, index) => {
    const name = variable.name;
    if (typeof name === 'string' && (OPERATOR_ENV.has(name) || TOOL_HEADER_ENV.test(name))) {
      report.notConverted([...path, index], `${name} is set by the Agentry operator itself`);
      return;
    }
    const fitted = fitAgentry(envVarSchema, variable, [...path, index], report);
    if (fitted === undefined) return;
    byName.delete(fitted.name);
    byName.set(fitted.name, fitted);
  });
  return [...byName.values()];
}

function convertPullSecrets(secrets: readonly Record<string, unknown>[], path: FieldPath, report: ObjectReport): { name: string }[] {
  const element = field.imagePullSecrets.unwrap().element;
  const names = new Set<string>();
  secrets.forEach((secret, index) => {
    const fitted = fitAgentry(element, secret, [...path, index], report);
    if (fitted !== undefined) names.add(fitted.name);
  });
  return [...names].map((name) => ({ name }));
}

/** A string map, whole when Agentry takes it whole, otherwise entry by entry. */
function fitMap<S extends z.ZodType<Record<string, string>>>(schema: S, map: Record<string, string>, path: FieldPath, report: ObjectReport): Record<string, string> {
  if (schema.safeParse(map).success) return map;
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (fitAgentry(schema, { [key]: value }, [...path, key], report) !== undefined) kept[key] = value;
  }
  return kept;
}

/** Kubernetes takes `cpu: 0.5`; Agentry's quantities are integers or strings. */
function quantitiesAsText(resources: Record<string, unknown>): Record<string, unknown> {
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resources)) {
    converted[key] = isRecord(value)
      ? Object.fromEntries(Object.entries(value).map(([name, q]) => [name, typeof q === 'number' && !Number.isInteger(q) ? String(q) : q]))
      : value;
  }
  return converted;
}

const CONTAINER_OVERRIDES = ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'readOnlyRootFilesystem'] as const;
const POD_IDENTITY = ['runAsUser', 'runAsGroup', 'runAsNonRoot'] as const;
const POD_GROUPS = ['fsGroup', 'supplementalGroups'] as const;

function convertSecurityContext(
  container: Record<string, unknown> | undefined,
  pod: Record<string, unknown> | undefined,
  path: FieldPath,
  report: ObjectReport,
): SecurityContextOverrides | undefined {
  const containerPath = [...path, 'securityContext'];
  const podPath = [...path, 'podSecurityContext'];
  const out: Record<string, unknown> = {};
  const from: Record<string, FieldPath> = {};
  for (const [key, value] of Object.entries(container ?? {})) {
    if (isUnset(value) && value !== false) continue;
    if (includes(CONTAINER_OVERRIDES, key)) {
      out[key] = value;
      from[key] = containerPath;
    } else if (!isRestrictedDefault(key, value)) report.notConverted([...containerPath, key], WHY.containerSecurity);
  }
  for (const [key, value] of Object.entries(pod ?? {})) {
    if (isUnset(value) && value !== false) continue;
    // A container's own setting wins over the pod's, as in Kubernetes.
    if (includes(POD_IDENTITY, key)) {
      if (out[key] === undefined) {
        out[key] = value;
        from[key] = podPath;
      }
    } else if (includes(POD_GROUPS, key)) {
      out[key] = value;
      from[key] = podPath;
    } else if (!isRestrictedDefault(key, value)) report.notConverted([...podPath, key], WHY.podSecurity);
  }
  if (out.runAsUser === 0 && out.runAsNonRoot !== false) {
    report.notConverted([...(from.runAsUser ?? containerPath), 'runAsUser'], WHY.root);
    delete out.runAsUser;
  }
  if (Object.keys(out).length === 0) return undefined;
  return fitAgentry(securityContextSchema, out, containerPath, report);
}

/** Settings Agentry applies anyway: keeping them loses nothing. */
function isRestrictedDefault(key: string, value: unknown): boolean {
  switch (key) {
    case 'allowPrivilegeEscalation':
    case 'privileged':
      return value === false;
    case 'capabilities':
      return isRecord(value) && isUnset(value.add) && Array.isArray(value.drop) && value.drop.includes('ALL');
    case 'seccompProfile':
      return isRecord(value) && value.type === 'RuntimeDefault' && isUnset(value.localhostProfile);
    default:
      return false;
  }
}

function includes(list: readonly string[], key: string): boolean {
  return list.some((member) => member === key);
}

/** An empty list or map says nothing: left out of the output. */
function nonEmpty<T extends object>(value: T): T | undefined {
  return Object.keys(value).length === 0 ? undefined : value;
}
