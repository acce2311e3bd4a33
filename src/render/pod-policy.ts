// What an Agent may put in its pods, as the operator configuration's `pods` section allows: the admin's
// guardrails on the fields that would otherwise make `agentry-edit` worth more than "run an agent".
// Each is checked before anything is built; an Agent that asks for more is refused (InvalidDeployment)
// with the field and the setting named, never silently trimmed (its author would debug a pod that
// does not do what its spec says). docs/operator-config.md says what each setting closes.
import type { Agent } from '../api/agent.js';
import { ConditionReason } from '../api/condition.js';
import type { ModelConfig } from '../api/model-config.js';
import { ANY, type OperatorConfig } from '../config/operator-config.js';
import { RenderRejection } from './render-result.js';

type PodsPolicy = OperatorConfig['pods'];

/** One Secret an Agent references, and the field that does. */
export interface SecretReference {
  field: string;
  name: string;
}

/** What the operator knows of a Secret it may not read: its name and labels. */
export interface SecretMetadata {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/**
 * Every Secret the Agent's pods would read: env and envFrom, the Secret-sourced system message, MCP
 * tool headers, the ModelConfig's API key, and image pull secrets. All in the Agent's namespace.
 */
export function secretReferences(agent: Agent, modelConfig: ModelConfig | undefined): SecretReference[] {
  const refs: SecretReference[] = [];
  const deployment = agent.spec.deployment;
  (deployment?.env ?? []).forEach((v, i) => {
    const name = v.valueFrom?.secretKeyRef?.name;
    if (name) refs.push({ field: `spec.deployment.env[${i}].valueFrom.secretKeyRef`, name });
  });
  (deployment?.envFrom ?? []).forEach((source, i) => {
    const name = source.secretRef?.name;
    if (name) refs.push({ field: `spec.deployment.envFrom[${i}].secretRef`, name });
  });
  (deployment?.imagePullSecrets ?? []).forEach((s, i) => refs.push({ field: `spec.deployment.imagePullSecrets[${i}]`, name: s.name }));
  const systemMessage = agent.spec.declarative?.systemMessageFrom?.secretKeyRef?.name;
  if (systemMessage) refs.push({ field: 'spec.declarative.systemMessageFrom.secretKeyRef', name: systemMessage });
  (agent.spec.declarative?.tools ?? []).forEach((tool, i) =>
    (tool.mcpServer?.headersFrom ?? []).forEach((header, j) => refs.push({ field: `spec.declarative.tools[${i}].mcpServer.headersFrom[${j}].secretKeyRef`, name: header.secretKeyRef.name })),
  );
  const apiKey = agent.spec.type === 'Declarative' ? modelConfig?.spec.apiKeySecret?.name : undefined;
  if (apiKey && modelConfig) refs.push({ field: `ModelConfig ${JSON.stringify(modelConfig.metadata.name)} spec.apiKeySecret`, name: apiKey });
  return refs;
}

const refuse = (message: string): never => {
  throw new RenderRejection(ConditionReason.InvalidDeployment, message);
};

const allows = (list: readonly string[], value: string) => list.includes(ANY) || list.includes(value);

/** `ghcr.io/acme/` matches `ghcr.io/acme/agent:1`; `ghcr.io/acme` matches it too, but not `ghcr.io/acme-evil/agent`. */
export function imageAllowed(image: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => {
    if (!image.startsWith(prefix)) return false;
    if (image.length === prefix.length || /[/:@]$/.test(prefix)) return true;
    return /[/:@]/.test(image.charAt(prefix.length));
  });
}

/** A Secret of the Agent's namespace by name, as metadata (undefined: there is none). */
export type SecretLookup = (name: string) => SecretMetadata | undefined;

/**
 * Throws RenderRejection (InvalidDeployment) for the first field the policy does not allow.
 * `secrets`: the Agent's namespace's Secrets, as metadata; undefined where they cannot be known
 * (`agentry render` of files), which skips only the required-label check.
 */
export function checkPodPolicy(agent: Agent, modelConfig: ModelConfig | undefined, policy: PodsPolicy, secrets: SecretLookup | undefined): void {
  const d = agent.spec.deployment;
  const setting = (name: string) => `(pods.${name} in the operator configuration)`;
  if (d?.serviceAccountName !== undefined && !allows(policy.allowedServiceAccountNames, d.serviceAccountName)) {
    refuse(`spec.deployment.serviceAccountName: ${JSON.stringify(d.serviceAccountName)} is not a ServiceAccount Agents may run as ${setting('allowedServiceAccountNames')}; leave it unset to run as the ServiceAccount Agentry creates for the agent`);
  }
  if (d?.replicas !== undefined && d.replicas > policy.maxReplicas) refuse(`spec.deployment.replicas: ${d.replicas} is more than the ${policy.maxReplicas} allowed ${setting('maxReplicas')}`);
  const security = d?.securityContext;
  if (!policy.allowRunAsRoot && security?.runAsNonRoot === false) refuse(`spec.deployment.securityContext.runAsNonRoot: false is not allowed: agents may not run as root ${setting('allowRunAsRoot')}`);
  if (!policy.allowRunAsRoot && security?.runAsUser === 0) refuse(`spec.deployment.securityContext.runAsUser: 0 (root) is not allowed ${setting('allowRunAsRoot')}`);
  (d?.tolerations ?? []).forEach((t, i) => {
    const key = t.key ?? '';
    const matched = policy.allowedTolerations.some((a) => (a.key === ANY || (key !== '' && a.key === key)) && (a.effect === undefined || a.effect === t.effect));
    if (!matched) refuse(`spec.deployment.tolerations[${i}]: a toleration of ${key === '' ? 'every taint' : `the taint ${JSON.stringify(key)}`}${t.effect ? ` (${t.effect})` : ''} is not allowed ${setting('allowedTolerations')}`);
  });
  for (const key of Object.keys(d?.nodeSelector ?? {})) {
    if (!allows(policy.allowedNodeSelectorKeys, key)) refuse(`spec.deployment.nodeSelector: the node label ${JSON.stringify(key)} is not one Agents may select nodes by ${setting('allowedNodeSelectorKeys')}`);
  }
  for (const kind of Object.keys(d?.affinity ?? {})) {
    if (!(policy.allowedAffinity as readonly string[]).includes(kind)) refuse(`spec.deployment.affinity.${kind}: not allowed ${setting('allowedAffinity')}`);
  }
  if (d?.priorityClassName !== undefined && !allows(policy.allowedPriorityClassNames, d.priorityClassName)) {
    refuse(`spec.deployment.priorityClassName: ${JSON.stringify(d.priorityClassName)} is not a PriorityClass Agents may use ${setting('allowedPriorityClassNames')}`);
  }
  for (const [field, keys, denied, name] of [
    ['podLabels', Object.keys(d?.podLabels ?? {}), policy.deniedLabelKeyPrefixes, 'deniedLabelKeyPrefixes'],
    ['podAnnotations', Object.keys(d?.podAnnotations ?? {}), policy.deniedAnnotationKeyPrefixes, 'deniedAnnotationKeyPrefixes'],
  ] as const) {
    for (const key of keys) {
      const prefix = denied.find((p) => key.startsWith(p));
      if (prefix !== undefined) refuse(`spec.deployment.${field}: the key ${JSON.stringify(key)} is not allowed (it starts with ${JSON.stringify(prefix)}) ${setting(name)}`);
    }
  }
  if ((d?.imagePullSecrets ?? []).length > 0 && !policy.allowImagePullSecrets) refuse(`spec.deployment.imagePullSecrets: Agents may not pull with a Secret's registry credentials ${setting('allowImagePullSecrets')}`);
  if (policy.allowedImages !== undefined) {
    const images: [string, string | undefined][] = [
      ['spec.byo.image', agent.spec.type === 'BYO' ? agent.spec.byo?.image : undefined],
      ['spec.deployment.image', agent.spec.type === 'Declarative' ? d?.image : undefined],
    ];
    for (const [field, image] of images) {
      if (image !== undefined && !imageAllowed(image, policy.allowedImages)) {
        refuse(`${field}: ${JSON.stringify(image)} is not from a registry Agents may use ${setting('allowedImages')}: ${policy.allowedImages.map((p) => JSON.stringify(p)).join(', ') || 'none'}`);
      }
    }
  }
  const required = policy.secretReferences.requiredLabel;
  if (required !== undefined && secrets !== undefined) {
    for (const ref of secretReferences(agent, modelConfig)) {
      const secret = secrets(ref.name);
      if (secret?.labels[required.key] !== required.value) {
        refuse(`${ref.field}: the Secret ${JSON.stringify(ref.name)} ${secret ? 'does not carry' : 'does not exist, or does not carry'} the label ${required.key}=${required.value} that Secrets referenced by Agents must have ${setting('secretReferences.requiredLabel')}`);
      }
    }
  }
}
