// kagent's MCP headers (`headersFrom`: a name and a literal value or a ConfigMap/Secret key) → Agentry's
// `headersFrom` (a name and a Secret key). Agentry keeps header values out of the agent's ConfigMap, so
// only Secret-sourced headers convert; the others are reported with what to do instead.
import type { HeaderFromSecret } from '../../api/agent-tools.js';
import { headerFromSecretSchema } from '../../api/agent-tools.js';
import { fitAgentry } from '../agentry-fit.js';
import type { FieldPath, ObjectReport } from '../conversion-report.js';
import { reportUnknownFields } from '../unconverted-fields.js';
import type { ValueRef } from './kagent-value-source.js';
import { valueRefSchema } from './kagent-value-source.js';

export function convertHeaders(refs: readonly ValueRef[], path: FieldPath, report: ObjectReport): HeaderFromSecret[] {
  return refs.flatMap((ref, index) => {
    const where = [...path, index];
    reportUnknownFields(report, where, ref, valueRefSchema);
    const source = ref.valueFrom;
    if (source?.type === 'Secret') {
      return fitAgentry(headerFromSecretSchema, { name: ref.name, secretKeyRef: { name: source.name, key: source.key } }, where, report) ?? [];
    }
    if (source?.type === 'ConfigMap') {
      report.notConverted(
        where,
        `Agentry takes header values from Secrets only: put key ${JSON.stringify(source.key)} of ConfigMap ${JSON.stringify(source.name)} into a Secret and add {name: ${ref.name}, secretKeyRef: {name: <secret>, key: <key>}} to the tool's headersFrom`,
      );
    } else {
      report.notConverted(
        where,
        `Agentry takes header values from Secrets only (they never go into the agent's ConfigMap): put the value of ${ref.name} into a Secret and add {name: ${ref.name}, secretKeyRef: {name: <secret>, key: <key>}} to the tool's headersFrom`,
      );
    }
    return [];
  });
}

/** Headers of a server, then the tool's own: a tool header replaces a server header of the same name (HTTP names ignore case). */
export function mergeHeaders(server: readonly HeaderFromSecret[], tool: readonly HeaderFromSecret[]): HeaderFromSecret[] {
  const byName = new Map<string, HeaderFromSecret>();
  for (const header of [...server, ...tool]) {
    byName.delete(header.name.toLowerCase());
    byName.set(header.name.toLowerCase(), header);
  }
  return [...byName.values()];
}
