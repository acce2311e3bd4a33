// Objects as text: a YAML stream (`---` between documents) or a JSON `List`. Shared by `agentry
// render`, `agentry convert` and the golden files, so a golden file is byte for byte what the CLI
// prints. The YAML is written with the 1.1 schema because that is what kubectl (sigs.k8s.io/yaml)
// reads: there an unquoted 2024-10-21 is a timestamp and yes/on/no are booleans, so such strings (an
// Azure API version, a label value "on") must come out quoted to be read back as strings.
import { stringify } from 'yaml';

import type { KubeObject } from '../kube/kube-object.js';

export function toYamlStream(objects: readonly KubeObject[]): string {
  // lineWidth 0: never fold long strings, so a changed word shows as one changed line.
  return objects.map((object) => stringify(object, { lineWidth: 0, version: '1.1' })).join('---\n');
}

export function toJsonList(objects: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}
