// The agent's own ServiceAccount, unless the Agent names an existing one. Agents do not talk to the
// Kubernetes API, so no token is mounted.
import type { ServiceAccountObject } from './child-objects.js';
import { childMetadata } from './child-metadata.js';
import type { RenderContext } from './render-context.js';

export function needsOwnServiceAccount(ctx: RenderContext): boolean {
  return ctx.agent.spec.deployment?.serviceAccountName === undefined;
}

export function serviceAccount(ctx: RenderContext): ServiceAccountObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: childMetadata(ctx), automountServiceAccountToken: false };
}
