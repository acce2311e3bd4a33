// The operator config's pods guardrails (src/render/pod-policy.ts), through render: each refused by
// default as InvalidDeployment naming the field and the setting, each let through by its setting.
import { describe, expect, it } from '@jest/globals';

import type { Agent } from '../../../src/api/agent.js';
import { validateAgent } from '../../../src/api/validation.js';
import { defaultOperatorConfig, type OperatorConfig } from '../../../src/config/operator-config.js';
import { imageAllowed, secretReferences } from '../../../src/render/pod-policy.js';
import { render } from '../../../src/render/render.js';

function byo(deployment: Record<string, unknown> = {}, image = 'ghcr.io/acme/agent:1.2.0'): Agent {
  const result = validateAgent({
    apiVersion: 'agentry.dev/v1alpha1',
    kind: 'Agent',
    metadata: { name: 'a', namespace: 'team', uid: 'u' },
    spec: { type: 'BYO', byo: { image, port: 9000 }, deployment },
  });
  if (!result.success) throw new Error(result.issues.join('; '));
  return result.data;
}

const withPods = (pods: Partial<OperatorConfig['pods']>): OperatorConfig => {
  const base = defaultOperatorConfig();
  return { ...base, pods: { ...base.pods, ...pods } };
};

const verdict = (agent: Agent, config = defaultOperatorConfig(), secrets?: { name: string; labels: Record<string, string> }[]) => {
  const result = render(agent, secrets === undefined ? {} : { secrets: (name) => secrets.find((s) => s.name === name) }, config);
  return result.ok ? 'ok' : `${result.reason}: ${result.message}`;
};

describe('the pods guardrails', () => {
  const rows: [string, Record<string, unknown>, RegExp, Partial<OperatorConfig['pods']>][] = [
    ['a ServiceAccount', { serviceAccountName: 'ci-deployer' }, /^InvalidDeployment: spec\.deployment\.serviceAccountName: "ci-deployer" .*\(pods\.allowedServiceAccountNames/, { allowedServiceAccountNames: ['ci-deployer'] }],
    ['more replicas than allowed', { replicas: 11 }, /^InvalidDeployment: spec\.deployment\.replicas: 11 is more than the 10 allowed \(pods\.maxReplicas/, { maxReplicas: 11 }],
    ['running as root by runAsNonRoot: false', { securityContext: { runAsNonRoot: false } }, /^InvalidDeployment: spec\.deployment\.securityContext\.runAsNonRoot: false .*\(pods\.allowRunAsRoot/, { allowRunAsRoot: true }],
    ['running as root by runAsUser: 0', { securityContext: { runAsNonRoot: false, runAsUser: 0 } }, /^InvalidDeployment: spec\.deployment\.securityContext\.runAsNonRoot/, { allowRunAsRoot: true }],
    ['a toleration', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }, /^InvalidDeployment: spec\.deployment\.tolerations\[0\]: a toleration of the taint "dedicated" \(NoSchedule\) .*\(pods\.allowedTolerations/, { allowedTolerations: [{ key: 'dedicated' }] }],
    ['a toleration of every taint', { tolerations: [{ operator: 'Exists' }] }, /^InvalidDeployment: spec\.deployment\.tolerations\[0\]: a toleration of every taint/, { allowedTolerations: [{ key: '*' }] }],
    ['a PriorityClass', { priorityClassName: 'system-cluster-critical' }, /^InvalidDeployment: spec\.deployment\.priorityClassName: "system-cluster-critical" .*\(pods\.allowedPriorityClassNames/, { allowedPriorityClassNames: ['system-cluster-critical'] }],
    ['imagePullSecrets', { imagePullSecrets: [{ name: 'platform-registry' }] }, /^InvalidDeployment: spec\.deployment\.imagePullSecrets: .*\(pods\.allowImagePullSecrets/, { allowImagePullSecrets: true }],
    ['a sidecar opt-out annotation', { podAnnotations: { 'sidecar.istio.io/inject': 'false' } }, /^InvalidDeployment: spec\.deployment\.podAnnotations: the key "sidecar\.istio\.io\/inject" .*\(pods\.deniedAnnotationKeyPrefixes/, { deniedAnnotationKeyPrefixes: [] }],
    ['an AppArmor opt-out annotation', { podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/agent': 'unconfined' } }, /^InvalidDeployment: spec\.deployment\.podAnnotations: the key "container\.apparmor/, { deniedAnnotationKeyPrefixes: [] }],
    ['a sidecar opt-out label', { podLabels: { 'sidecar.istio.io/inject': 'false' } }, /^InvalidDeployment: spec\.deployment\.podLabels: the key "sidecar\.istio\.io\/inject" .*\(pods\.deniedLabelKeyPrefixes/, { deniedLabelKeyPrefixes: [] }],
  ];

  it.each(rows)('refuses %s by default, and lets it through by its setting', (_what, deployment, refused, allow) => {
    expect(verdict(byo(deployment))).toMatch(refused);
    expect(verdict(byo(deployment), withPods(allow))).toBe('ok');
  });

  it('allows node selectors and affinity by default (they only narrow placement), and can refuse them', () => {
    const placed = byo({ nodeSelector: { 'kubernetes.io/arch': 'arm64' }, affinity: { podAntiAffinity: {} } });
    expect(verdict(placed)).toBe('ok');
    expect(verdict(placed, withPods({ allowedNodeSelectorKeys: ['topology.kubernetes.io/zone'] }))).toMatch(/^InvalidDeployment: spec\.deployment\.nodeSelector: the node label "kubernetes\.io\/arch"/);
    expect(verdict(placed, withPods({ allowedAffinity: ['nodeAffinity'] }))).toMatch(/^InvalidDeployment: spec\.deployment\.affinity\.podAntiAffinity: not allowed/);
  });

  it('limits images to the registries allowed, when the setting is given', () => {
    const config = withPods({ allowedImages: ['ghcr.io/acme'] });
    expect(verdict(byo({}, 'ghcr.io/acme/agent:1'), config)).toBe('ok');
    expect(verdict(byo({}, 'ghcr.io/acme-evil/agent:1'), config)).toMatch(/^InvalidDeployment: spec\.byo\.image: "ghcr\.io\/acme-evil\/agent:1" is not from a registry Agents may use/);
    expect(verdict(byo({}, 'docker.io/library/busybox'))).toBe('ok'); // unset: any image
    expect(imageAllowed('ghcr.io/acme@sha256:abc', ['ghcr.io/acme'])).toBe(true);
    expect(imageAllowed('ghcr.io/acme/x', ['ghcr.io/acme/'])).toBe(true);
    expect(imageAllowed('ghcr.io/acmex', ['ghcr.io/acme'])).toBe(false);
  });

  it('requires a label on every referenced Secret when configured, and skips the check where Secrets cannot be known', () => {
    const agent = byo({ env: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }], envFrom: [{ secretRef: { name: 'more' } }] });
    expect(secretReferences(agent, undefined)).toEqual([
      { field: 'spec.deployment.env[0].valueFrom.secretKeyRef', name: 'db' },
      { field: 'spec.deployment.envFrom[0].secretRef', name: 'more' },
    ]);
    const config = withPods({ secretReferences: { requiredLabel: { key: 'agentry.dev/readable', value: 'true' } } });
    const readable = { 'agentry.dev/readable': 'true' };
    expect(verdict(agent, config, [{ name: 'db', labels: readable }, { name: 'more', labels: readable }])).toBe('ok');
    expect(verdict(agent, config, [{ name: 'db', labels: readable }, { name: 'more', labels: {} }])).toMatch(/^InvalidDeployment: spec\.deployment\.envFrom\[0\]\.secretRef: the Secret "more" does not carry the label agentry\.dev\/readable=true/);
    expect(verdict(agent, config, [{ name: 'more', labels: readable }])).toMatch(/^InvalidDeployment: spec\.deployment\.env\[0\]\.valueFrom\.secretKeyRef: the Secret "db" does not exist, or does not carry/);
    expect(verdict(agent, config)).toBe('ok'); // agentry render of files: no Secrets to look at
    expect(verdict(agent, defaultOperatorConfig(), [])).toBe('ok'); // not configured: any Secret of the namespace
  });
});
