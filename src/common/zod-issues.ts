// zod issues in the words users read in kubectl: `spec.a2aConfig.skills[1].id: message`. Shared by
// the operator (conditions, config errors) and the runtime (errors about its mounted files).
import type { z } from 'zod';

/** `['spec', 'a2aConfig', 'skills', 1, 'id']` → `spec.a2aConfig.skills[1].id`; map keys such as label keys in brackets. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${String(segment)}]`;
  }
  return text;
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
}
