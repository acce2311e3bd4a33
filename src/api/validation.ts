// Validation results in the API server's words: `spec.byo: byo is required when type is BYO`. The
// operator puts these into Accepted=False conditions and Events.
import type { z } from 'zod';

import { formatIssues } from '../common/zod-issues.js';
import { agentSchema } from './agent.js';
import type { Agent } from './agent.js';
import { modelConfigSchema } from './model-config.js';
import type { ModelConfig } from './model-config.js';

export type ValidationResult<T> = { success: true; data: T } | { success: false; issues: string[] };

export { formatIssuePath, formatIssues } from '../common/zod-issues.js';

// zod says "Invalid input: expected string, received undefined" for a missing field; the API server
// says "Required value", which is what users of kubectl know.
const requiredValueMessages: z.core.$ZodErrorMap = (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'Required value' : undefined);

export function validateWith<S extends z.ZodType>(schema: S, value: unknown): ValidationResult<z.output<S>> {
  const result = schema.safeParse(value, { error: requiredValueMessages });
  return result.success ? { success: true, data: result.data } : { success: false, issues: formatIssues(result.error) };
}

export function validateAgent(value: unknown): ValidationResult<Agent> {
  return validateWith(agentSchema, value);
}

export function validateModelConfig(value: unknown): ValidationResult<ModelConfig> {
  return validateWith(modelConfigSchema, value);
}
