// Fitting one converted piece (an env var, a toleration, a tool …) to the Agentry schema that will
// validate it: a piece Agentry refuses is left out and reported with Agentry's own message, and a
// field Agentry's schema strips is reported rather than lost quietly. The whole object is then valid
// by construction, and one bad env var costs that env var, not the Agent.
import type { z } from 'zod';

import { formatIssuePath } from '../common/zod-issues.js';
import type { FieldPath, ObjectReport } from './conversion-report.js';
import { droppedPaths } from './unconverted-fields.js';

// "Required value" rather than zod's "expected string, received undefined", as the API server says.
const requiredValueMessages: z.core.$ZodErrorMap = (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'Required value' : undefined);

export interface FitOptions {
  /** Why a field Agentry's schema does not have is not converted. */
  dropped?: string;
}

export const NO_SUCH_FIELD = 'Agentry has no such field';

/** The piece as Agentry reads it, or undefined (reported) when Agentry refuses it. */
export function fitAgentry<S extends z.ZodType>(schema: S, value: unknown, path: FieldPath, report: ObjectReport, options: FitOptions = {}): z.output<S> | undefined {
  const result = schema.safeParse(value, { error: requiredValueMessages });
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const where = formatIssuePath(issue.path);
      return where === '' ? issue.message : `${where}: ${issue.message}`;
    });
    report.notConverted(path, `Agentry refuses it (${issues.join('; ')})`);
    return undefined;
  }
  for (const dropped of droppedPaths(value, result.data)) report.notConverted([...path, ...dropped], options.dropped ?? NO_SUCH_FIELD);
  return result.data;
}

/** Whether Agentry's schema takes the value as it is, without reporting anything. */
export function fitsAgentry(schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(value).success;
}
