// kagent's references to configuration values (common_types.go): a key of a ConfigMap or Secret in
// the object's namespace (`ValueSource`), and a named value given inline or from such a key
// (`ValueRef`, used for MCP headers).
import { z } from 'zod';

export const valueSourceSchema = z.looseObject({
  type: z.enum(['ConfigMap', 'Secret']),
  name: z.string().max(253),
  key: z.string().max(253),
});
export type ValueSource = z.output<typeof valueSourceSchema>;

export const valueRefSchema = z
  .looseObject({
    name: z.string(),
    value: z.string().optional(),
    valueFrom: valueSourceSchema.optional(),
  })
  .refine((ref) => (ref.value === undefined) !== (ref.valueFrom === undefined), {
    message: 'Exactly one of value or valueFrom must be specified',
  });
export type ValueRef = z.output<typeof valueRefSchema>;
