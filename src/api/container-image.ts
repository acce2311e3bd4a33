// Container images and pull policies, as on a Kubernetes container.
import { z } from 'zod';

export function containerImage() {
  return z
    .string()
    .min(1)
    .max(1024)
    .regex(/^\S+$/, { message: 'must be an image reference such as ghcr.io/acme/agent:1.2.0, without whitespace' });
}

export const imagePullPolicySchema = z.enum(['Always', 'IfNotPresent', 'Never']);
export type ImagePullPolicy = z.output<typeof imagePullPolicySchema>;
