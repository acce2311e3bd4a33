// Kubernetes EnvVar and EnvFromSource, as accepted in an Agent's pod overrides. The one-of rules that
// Kubernetes checks only when the Deployment is written are checked here, when the Agent is applied.
import { z } from 'zod';

import { celRule } from './cel-rule.js';
import { quantity } from './int-or-string.js';
import { keySelectorSchema } from './key-selector.js';
import { dns1123Label, dns1123Subdomain, envVarName } from './kubernetes-names.js';

const optionalKeySelectorSchema = keySelectorSchema.extend({
  optional: z.boolean().optional().describe('Whether the ConfigMap or Secret (or its key) may be missing.'),
});

const envVarSourceFields = z.object({
  secretKeyRef: optionalKeySelectorSchema.optional().describe('A key of a Secret in the same namespace.'),
  configMapKeyRef: optionalKeySelectorSchema.optional().describe('A key of a ConfigMap in the same namespace.'),
  fieldRef: z
    .object({
      fieldPath: z.string().min(1).max(256).describe('Path of the field to select, such as metadata.name.'),
      apiVersion: z.string().max(64).optional().describe('Version of the schema the FieldPath is written in; v1 by default.'),
    })
    .optional()
    .describe('A field of the pod.'),
  resourceFieldRef: z
    .object({
      resource: z.string().min(1).max(64).describe('Resource to select, such as limits.cpu.'),
      containerName: dns1123Label().optional().describe('Container name; the agent container by default.'),
      divisor: quantity().optional().describe('Output format of the exposed resource; 1 by default.'),
    })
    .optional()
    .describe('A resource limit or request of the container.'),
});

export const envVarSourceSchema = envVarSourceFields.check(
  celRule<z.output<typeof envVarSourceFields>>({
    rule:
      '(has(self.secretKeyRef) ? 1 : 0) + (has(self.configMapKeyRef) ? 1 : 0) + (has(self.fieldRef) ? 1 : 0) + (has(self.resourceFieldRef) ? 1 : 0) == 1',
    message: 'valueFrom must set exactly one of secretKeyRef, configMapKeyRef, fieldRef or resourceFieldRef',
    holds: (s) => [s.secretKeyRef, s.configMapKeyRef, s.fieldRef, s.resourceFieldRef].filter((x) => x !== undefined).length === 1,
  }),
);

const envVarFields = z.object({
  name: envVarName().describe('Name of the environment variable.'),
  value: z.string().max(32768).optional().describe('Literal value. Do not put secrets here: use valueFrom.secretKeyRef.'),
  valueFrom: envVarSourceSchema.optional().describe("Source for the variable's value."),
});

export const envVarSchema = envVarFields.check(
  celRule<z.output<typeof envVarFields>>({
    rule: '!has(self.value) || !has(self.valueFrom)',
    message: 'only one of value or valueFrom may be set',
    holds: (s) => s.value === undefined || s.valueFrom === undefined,
  }),
);
export type EnvVar = z.output<typeof envVarSchema>;

const envFromSourceFields = z.object({
  prefix: z.string().max(128).optional().describe('Prefix added to every variable name.'),
  configMapRef: z
    .object({ name: dns1123Subdomain().describe('ConfigMap name.'), optional: z.boolean().optional().describe('Whether the ConfigMap may be missing.') })
    .optional()
    .describe('All keys of a ConfigMap in the same namespace.'),
  secretRef: z
    .object({ name: dns1123Subdomain().describe('Secret name.'), optional: z.boolean().optional().describe('Whether the Secret may be missing.') })
    .optional()
    .describe('All keys of a Secret in the same namespace.'),
});

export const envFromSourceSchema = envFromSourceFields.check(
  celRule<z.output<typeof envFromSourceFields>>({
    rule: 'has(self.configMapRef) != has(self.secretRef)',
    message: 'exactly one of configMapRef or secretRef must be set',
    holds: (s) => (s.configMapRef === undefined) !== (s.secretRef === undefined),
  }),
);
export type EnvFromSource = z.output<typeof envFromSourceSchema>;
