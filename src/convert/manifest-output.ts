// Converted objects as YAML that kubectl reads back exactly. kubectl (sigs.k8s.io/yaml) parses YAML
// 1.1, where an unquoted 2024-10-21 is a timestamp and yes/on/no are booleans: serialised with the 1.1
// schema, such strings (an Azure API version, a label value "on") come out quoted.
import { stringify } from 'yaml';

import type { KubeObject } from '../kube/kube-object.js';

export function toKubectlYamlStream(objects: readonly KubeObject[]): string {
  // lineWidth 0: never fold long strings (a system message stays as written).
  return objects.map((object) => stringify(object, { lineWidth: 0, version: '1.1' })).join('---\n');
}
