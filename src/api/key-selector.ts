// A reference to one key of a ConfigMap or Secret in the object's own namespace.
import { z } from 'zod';

import { configMapKey, dns1123Subdomain } from './kubernetes-names.js';

export const keySelectorSchema = z.object({
  name: dns1123Subdomain().describe('Name of the ConfigMap or Secret, in the same namespace.'),
  key: configMapKey().describe('The key to select.'),
});
export type KeySelector = z.output<typeof keySelectorSchema>;
