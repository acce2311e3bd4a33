// A hash of the ConfigMap's data, put on the pod template: a change to the agent's configuration
// then changes the template, and the Deployment rolls the pods (a mounted ConfigMap alone would
// update the files under a running process that read them at start-up).
import { createHash } from 'node:crypto';

import { sortKeysDeep } from './sorted-keys.js';

export function configHash(data: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(JSON.stringify(sortKeysDeep(data))).digest('hex');
}
