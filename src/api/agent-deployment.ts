// `spec.deployment`: pod-level overrides for both agent types. The operator renders the pod with
// restricted Pod Security defaults and merges these on top.
import { z } from 'zod';

import { celRule } from './cel-rule.js';
import { containerImage, imagePullPolicySchema } from './container-image.js';
import { envFromSourceSchema, envVarSchema } from './env-var.js';
import type { EnvVar } from './env-var.js';
import { RESERVED_POD_LABEL_KEYS } from './group-version.js';
import { quantity } from './int-or-string.js';
import { int32, int64 } from './integer-formats.js';
import { listMapKeys } from './kubernetes-lists.js';
import { freeFormObject } from './kubernetes-maps.js';
import { annotationMap, dns1123Subdomain, labelMap, labelValue, qualifiedName, resourceNameMap } from './kubernetes-names.js';

export const resourceRequirementsSchema = z
  .object({
    limits: resourceNameMap(quantity(), 16).optional().describe('Maximum amount of compute resources allowed, such as cpu: 500m.'),
    requests: resourceNameMap(quantity(), 16).optional().describe('Minimum amount of compute resources required, such as memory: 256Mi.'),
  })
  .describe('Compute resources of the agent container.');
export type ResourceRequirements = z.output<typeof resourceRequirementsSchema>;

const tolerationFields = z.object({
  key: qualifiedName().optional().describe('Taint key the toleration applies to; empty (with operator Exists) matches all taints.'),
  operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal (the default).'),
  value: labelValue().optional().describe('Taint value the toleration matches; must be empty when operator is Exists.'),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional().describe('Taint effect to match; empty matches all effects.'),
  tolerationSeconds: int64().optional().describe('For NoExecute: how long the pod stays bound after the taint appears.'),
});
type TolerationFields = z.output<typeof tolerationFields>;

export const tolerationSchema = tolerationFields.check(
  celRule<TolerationFields>({
    rule: "!has(self.operator) || self.operator != 'Exists' || !has(self.value) || self.value == ''",
    message: 'value must be empty when operator is Exists',
    fieldPath: '.value',
    holds: (t) => t.operator !== 'Exists' || t.value === undefined || t.value === '',
  }),
  celRule<TolerationFields>({
    rule: "(has(self.key) && self.key != '') || (has(self.operator) && self.operator == 'Exists')",
    message: 'operator must be Exists when key is empty',
    fieldPath: '.operator',
    holds: (t) => (t.key !== undefined && t.key !== '') || t.operator === 'Exists',
  }),
  celRule<TolerationFields>({
    rule: "!has(self.tolerationSeconds) || (has(self.effect) && self.effect == 'NoExecute')",
    message: 'tolerationSeconds may only be set when effect is NoExecute',
    fieldPath: '.tolerationSeconds',
    holds: (t) => t.tolerationSeconds === undefined || t.effect === 'NoExecute',
  }),
);
export type Toleration = z.output<typeof tolerationSchema>;

const securityContextFields = z.object({
  runAsUser: int64().min(0).optional().describe('UID the agent container runs as. Defaults to the image\'s user; must not be 0 unless runAsNonRoot is false.'),
  runAsGroup: int64().min(0).optional().describe('GID the agent container runs as.'),
  runAsNonRoot: z
    .boolean()
    .optional()
    .describe('Defaults to true (Pod Security restricted). Setting false lets a BYO image run as root where the namespace allows it.'),
  readOnlyRootFilesystem: z
    .boolean()
    .optional()
    .describe('Defaults to true. Set false for an image that must write outside its mounted volumes.'),
  fsGroup: int64().min(0).optional().describe('Pod-level: group that owns the pod\'s volumes.'),
  supplementalGroups: z.array(int64().min(0)).max(32).optional().describe('Pod-level: additional groups for the pod\'s processes.'),
});

// Only fields that can be changed without leaving the restricted profile's intent are offered:
// privilege escalation, capabilities and the seccomp profile are not overridable.
export const securityContextSchema = securityContextFields
  .check(
    celRule<z.output<typeof securityContextFields>>({
      rule: '!has(self.runAsUser) || self.runAsUser != 0 || (has(self.runAsNonRoot) && !self.runAsNonRoot)',
      message: 'runAsUser 0 (root) requires runAsNonRoot: false',
      fieldPath: '.runAsUser',
      holds: (s) => s.runAsUser !== 0 || s.runAsNonRoot === false,
    }),
  )
  .describe('Overrides merged onto the operator\'s restricted security defaults (non-root, read-only root filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp).');
export type SecurityContextOverrides = z.output<typeof securityContextSchema>;

const reservedLabelsRule = RESERVED_POD_LABEL_KEYS.map((key) => `!('${key}' in self)`).join(' && ');

const podLabelsSchema = labelMap(32).check(
  celRule<Record<string, string>>({
    rule: reservedLabelsRule,
    message: `podLabels must not set labels managed by Agentry: ${RESERVED_POD_LABEL_KEYS.join(', ')}`,
    holds: (labels) => RESERVED_POD_LABEL_KEYS.every((key) => !(key in labels)),
  }),
);

export const agentDeploymentSchema = z
  .object({
    replicas: int32().min(0).optional().describe('Number of agent pods; 1 by default.'),
    image: containerImage()
      .optional()
      .describe('Declarative agents only: overrides the agent runtime image from the operator configuration.'),
    imagePullPolicy: imagePullPolicySchema
      .optional()
      .describe('Declarative agents only: pull policy of the runtime image. A BYO agent sets byo.imagePullPolicy.'),
    resources: resourceRequirementsSchema.optional(),
    env: z
      .array(envVarSchema)
      .max(64)
      .check(listMapKeys<EnvVar>('name'))
      .optional()
      .describe('Environment variables of the agent container, in addition to the ones the operator sets.'),
    envFrom: z.array(envFromSourceSchema).max(16).optional().describe('ConfigMaps and Secrets whose keys become environment variables.'),
    imagePullSecrets: z
      .array(z.object({ name: dns1123Subdomain().describe('Name of a docker-registry Secret in the same namespace.') }))
      .max(16)
      .check(listMapKeys<{ name: string }>('name'))
      .optional()
      .describe('Secrets used to pull the image.'),
    nodeSelector: labelMap(32).optional().describe('Node labels the pods must be scheduled on.'),
    tolerations: z.array(tolerationSchema).max(32).optional().describe('Taints the pods tolerate.'),
    affinity: freeFormObject().optional().describe('Pod affinity, anti-affinity and node affinity, as in a pod spec (core/v1 Affinity).'),
    podLabels: podLabelsSchema.optional().describe('Extra labels on the pods (not on the Deployment).'),
    podAnnotations: annotationMap(64).optional().describe('Extra annotations on the pods.'),
    serviceAccountName: dns1123Subdomain()
      .optional()
      .describe('Run the pods as this existing ServiceAccount instead of the one the operator creates.'),
    securityContext: securityContextSchema.optional(),
    priorityClassName: dns1123Subdomain().optional().describe('PriorityClass of the pods.'),
  })
  .describe('Pod-level overrides, for both agent types.');
export type AgentDeployment = z.output<typeof agentDeploymentSchema>;
