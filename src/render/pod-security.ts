// Restricted Pod Security defaults for agent pods, with the Agent's securityContext merged on top.
//
// Merge policy. Never overridable (the API does not offer them): allowPrivilegeEscalation (false),
// capabilities (drop ALL) and the seccomp profile (RuntimeDefault): they are what contains a
// compromised agent. Overridable, because images legitimately differ:
//  - runAsUser and runAsGroup, on the container (an image's numeric user);
//  - fsGroup and supplementalGroups, on the pod (ownership of volumes);
//  - readOnlyRootFilesystem, on the container (not part of the restricted profile; /tmp is writable);
//  - runAsNonRoot, on both (the API allows false only deliberately; the namespace's Pod Security
//    admission still decides whether such a pod may run).
import type { SecurityContextOverrides } from '../api/agent-deployment.js';
import type { ContainerSecurityContext, PodSecurityContext } from './child-objects.js';

export function podSecurityContext(overrides: SecurityContextOverrides | undefined): PodSecurityContext {
  return {
    runAsNonRoot: overrides?.runAsNonRoot ?? true,
    seccompProfile: { type: 'RuntimeDefault' },
    ...(overrides?.fsGroup !== undefined && { fsGroup: overrides.fsGroup }),
    ...(overrides?.supplementalGroups !== undefined &&
      overrides.supplementalGroups.length > 0 && { supplementalGroups: [...overrides.supplementalGroups] }),
  };
}

export function containerSecurityContext(overrides: SecurityContextOverrides | undefined): ContainerSecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: overrides?.readOnlyRootFilesystem ?? true,
    runAsNonRoot: overrides?.runAsNonRoot ?? true,
    ...(overrides?.runAsUser !== undefined && { runAsUser: overrides.runAsUser }),
    ...(overrides?.runAsGroup !== undefined && { runAsGroup: overrides.runAsGroup }),
  };
}
