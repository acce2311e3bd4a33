import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import {
  DEFAULT_AGENT_RUNTIME_IMAGE,
  defaultOperatorConfig,
  OperatorConfigError,
  operatorConfigSchema,
  parseOperatorConfig,
} from '../../../src/config/operator-config.js';
import { expandPathTemplate } from '../../../src/config/path-template.js';

function issuesOf(yamlText: string): readonly string[] {
  try {
    parseOperatorConfig(yamlText, 'test.yaml');
  } catch (error) {
    if (error instanceof OperatorConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe('parseOperatorConfig', () => {
  it.each(['', '# only a comment\n', '{}\n', '---\n'])('accepts an empty file (%j) and returns the defaults', (text) => {
    expect(parseOperatorConfig(text)).toEqual(defaultOperatorConfig());
  });

  it('has the documented defaults', () => {
    const config = defaultOperatorConfig();
    expect(config.agentRuntime).toEqual({ image: DEFAULT_AGENT_RUNTIME_IMAGE, imagePullPolicy: 'IfNotPresent' });
    expect(config.a2a).toEqual({ appProtocol: 'auto', protocolVersion: '1.0' });
    expect(config.gateway).toEqual({ enabled: true, parentRefs: [], pathTemplate: '/agents/{namespace}/{name}', allowCustomPathPrefix: false, allowedAgentHostnames: [] });
    expect(config.networkPolicy).toEqual({
      enabled: true,
      allowOptOut: false,
      allowedEgressCidrs: [],
      allowedIngressNamespaces: 'Same',
      egress: { dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }, modelEndpoints: [], peerAgentsViaGateway: true },
    });
    expect(config.watchNamespaces).toBeUndefined();
    expect(config.workers).toBe(4);
    expect(config.resyncPeriodSeconds).toBe(600);
    expect(config.leaderElection).toEqual({
      enabled: true,
      leaseName: 'agentry-leader',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
    });
    expect(config.logLevel).toBe('info');
  });

  it('fills in defaults around what a file sets', () => {
    const config = parseOperatorConfig(`
a2a:
  appProtocol: agentgateway.dev/a2a
gateway:
  parentRefs:
    - {name: agentgateway, namespace: agentgateway-system, sectionName: http}
  routeNamespace: agentgateway-system
  publicBaseUrl: https://agents.example.com
networkPolicy:
  egress:
    modelEndpoints:
      - cidr: 0.0.0.0/0
      - cidr: 10.96.0.0/12
        ports: [{port: 11434}]
watchNamespaces: [finance, reports]
`);
    expect(config.a2a).toEqual({ appProtocol: 'agentgateway.dev/a2a', protocolVersion: '1.0' });
    expect(config.gateway.parentRefs).toEqual([{ name: 'agentgateway', namespace: 'agentgateway-system', sectionName: 'http' }]);
    expect(config.gateway.pathTemplate).toBe('/agents/{namespace}/{name}');
    expect(config.networkPolicy.egress.modelEndpoints).toEqual([
      { cidr: '0.0.0.0/0', ports: [{ port: 443, protocol: 'TCP' }] },
      { cidr: '10.96.0.0/12', ports: [{ port: 11434, protocol: 'TCP' }] },
    ]);
    expect(config.networkPolicy.egress.dns.namespace).toBe('kube-system');
    expect(config.watchNamespaces).toEqual(['finance', 'reports']);
  });

  it.each([
    ['workerz: 8', 'Unrecognized key: "workerz"'],
    ['gateway: {enabeld: true}', 'gateway: Unrecognized key: "enabeld"'],
    ['workers: 0', 'workers: Too small: expected number to be >=1'],
    ['workers: two', 'workers: Invalid input: expected number, received string'],
    ['logLevel: verbose', 'logLevel: Invalid option: expected one of "trace"|"debug"|"info"|"warn"|"error"|"fatal"'],
    ["gateway: {pathTemplate: '/agents/{namespace}'}", 'gateway.pathTemplate: must contain {name}'],
    ["gateway: {pathTemplate: '/agents/{team}/{name}'}", 'gateway.pathTemplate: may only use the placeholders {namespace} and {name}'],
    ['gateway: {parentRefs: [{name: gw}]}', 'gateway.parentRefs[0].namespace: Required value'],
    ['gateway: {publicBaseUrl: agents.example.com}', 'gateway.publicBaseUrl: must be an absolute http or https URL'],
    ['gateway: {allowCustomPathPrefix: true}', "gateway.allowedPathPrefixes: required when allowCustomPathPrefix is true: the prefixes custom paths must lie within, such as '/agents/{namespace}/'"],
    ["gateway: {allowedAgentHostnames: ['*.{namespace}.example.com']}", "gateway.allowedAgentHostnames[0]: must be a lowercase DNS name such as {namespace}.agents.example.com (no '*.': subdomains are allowed by every entry), or '*'"],
    ["gateway: {allowedAgentHostnames: ['{team}.example.com']}", 'gateway.allowedAgentHostnames[0]: may only use the placeholders {namespace} and {name}'],
    ['pods: {maxReplicas: -1}', 'pods.maxReplicas: Too small: expected number to be >=0'],
    ["pods: {allowedServiceAccountNames: [Ci]}", 'pods.allowedServiceAccountNames[0]: must be a lowercase RFC 1123 subdomain'],
    ['networkPolicy: {allowedIngressNamespaces: Some}', 'networkPolicy.allowedIngressNamespaces: Invalid option: expected one of "None"|"Same"|"All"'],
    ['networkPolicy: {egress: {modelEndpoints: [{cidr: 10.0.0.0/33}]}}', 'networkPolicy.egress.modelEndpoints[0].cidr: cidr must be a valid IPv4 or IPv6 CIDR'],
    ['leaderElection: {renewDeadlineSeconds: 15}', 'leaderElection.renewDeadlineSeconds: renewDeadlineSeconds (15) must be less than leaseDurationSeconds (15)'],
    ['leaderElection: {retryPeriodSeconds: 9}', 'leaderElection.retryPeriodSeconds: retryPeriodSeconds × 1.2 (10.8) must be less than renewDeadlineSeconds (10)'],
    ['watchNamespaces: [Finance]', 'watchNamespaces[0]: must be a lowercase RFC 1123 label'],
    ['- workers: 2', 'the configuration must be a YAML mapping of settings'],
    ['workers: 2\nworkers: 3', 'Map keys must be unique'],
  ])('rejects %j with %j', (text, expected) => {
    const issues = issuesOf(text);
    expect(issues.some((i) => i.startsWith(expected))).toBe(true);
  });

  it('lists every problem at once, naming the source', () => {
    expect(() => parseOperatorConfig('workers: 0\nlogLevel: loud', 'agentry.yaml')).toThrow(/invalid operator configuration \(agentry\.yaml\):\n {2}- workers: .*\n {2}- logLevel: /);
  });
});

describe('expandPathTemplate', () => {
  it('substitutes the namespace and name', () => {
    expect(expandPathTemplate('/agents/{namespace}/{name}', { namespace: 'finance', name: 'expense' })).toBe('/agents/finance/expense');
  });
});

// Every setting is explained twice: in the schema (.describe(), for tooling) and in the docs.
describe('operator configuration documentation', () => {
  interface Field {
    path: string;
    description: string | undefined;
  }

  function unwrap(schema: z.core.$ZodType): { inner: z.core.$ZodType; description: string | undefined } {
    let current = schema;
    let description: string | undefined;
    for (;;) {
      description ??= z.globalRegistry.get(current)?.description;
      const def = current._zod.def;
      if (def.type !== 'optional' && def.type !== 'default' && def.type !== 'prefault') return { inner: current, description };
      current = (current as z.core.$ZodOptional)._zod.def.innerType;
    }
  }

  function fields(schema: z.core.$ZodType, prefix: string): Field[] {
    const { inner } = unwrap(schema);
    const def = inner._zod.def;
    if (def.type === 'array') return fields((inner as z.core.$ZodArray)._zod.def.element, `${prefix}[]`);
    if (def.type !== 'object') return [];
    return Object.entries((inner as z.core.$ZodObject)._zod.def.shape).flatMap(([key, child]) => {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      return [{ path, description: unwrap(child).description }, ...fields(child, path)];
    });
  }

  const all = fields(operatorConfigSchema, '');
  const docs = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/operator-config.md'), 'utf8');

  it('describes every field in the schema', () => {
    expect(all.filter((f) => f.description === undefined).map((f) => f.path)).toEqual([]);
  });

  it('documents every field in docs/operator-config.md', () => {
    expect(all.filter((f) => !docs.includes(`\`${f.path}\``)).map((f) => f.path)).toEqual([]);
  });
});
