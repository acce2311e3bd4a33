// Rendered objects as text: a YAML stream (`---` between documents) or a JSON `List`. Shared by
// `agentry render` and the golden files, so a golden file is byte for byte what the CLI prints.
import { stringify } from 'yaml';

import type { KubeObject } from '../kube/kube-object.js';

export function toYamlStream(objects: readonly KubeObject[]): string {
  // lineWidth 0: never fold long strings, so a changed word shows as one changed line.
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}

export function toJsonList(objects: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}
