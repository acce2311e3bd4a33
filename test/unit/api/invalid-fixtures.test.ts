// Every bad manifest is rejected by zod on the field the API server names. Another test applies the
// same files to a real kube-apiserver and checks its message contains each `# expect:` line.
import { describe, expect, it } from '@jest/globals';

import { customResourceDefinitions } from '../../../src/api/custom-resource-definitions.js';
import type { JsonSchemaProps } from '../../../src/api/structural-schema.js';
import { agentSchema } from '../../../src/api/agent.js';
import { modelConfigSchema } from '../../../src/api/model-config.js';
import { remoteAgentSchema } from '../../../src/api/remote-agent.js';
import { formatIssuePath } from '../../../src/api/validation.js';
import { loadFixtures } from '../../harness/fixtures.js';

const fixtures = loadFixtures('invalid');

function celMessages(node: JsonSchemaProps): string[] {
  return [
    ...(node['x-kubernetes-validations'] ?? []).map((r) => r.message),
    ...Object.values(node.properties ?? {}).flatMap(celMessages),
    ...(node.items ? celMessages(node.items) : []),
    ...(node.additionalProperties ? celMessages(node.additionalProperties) : []),
  ];
}

const allCelMessages = customResourceDefinitions().flatMap((crd) => crd.spec.versions.flatMap((v) => celMessages(v.schema.openAPIV3Schema)));

/**
 * Splits an API server error such as `spec.byo: Required value: byo is required when type is BYO`
 * into the field path and the detail after the error type (and the echoed value, if any).
 */
function parseExpectation(expectation: string): { path: string; detail: string } {
  const separator = expectation.indexOf(': ');
  if (separator < 0) return { path: expectation, detail: '' };
  const path = expectation.slice(0, separator);
  const detail = expectation
    .slice(separator + 2)
    .replace(/^(Required value|Forbidden|Invalid value|Unsupported value|Duplicate value|Too many|Too long)(: )?/, '')
    .replace(/^("(?:[^"\\]|\\.)*"|-?[0-9][0-9.]*)(: )?/, '');
  return { path, detail };
}

describe('invalid fixtures', () => {
  it('are at least 20, for every kind', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    expect(new Set(fixtures.map((f) => f.kind))).toEqual(new Set(['Agent', 'ModelConfig', 'RemoteAgent']));
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('%s is rejected by zod on the field the API server names', (_file, fixture) => {
    expect(fixture.expects.length).toBeGreaterThan(0);
    const schema = fixture.kind === 'Agent' ? agentSchema : fixture.kind === 'RemoteAgent' ? remoteAgentSchema : modelConfigSchema;
    const result = schema.safeParse(fixture.object);
    expect(result.success).toBe(false);
    if (result.success) return;
    const issues = result.error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));

    for (const expectation of fixture.expects) {
      const { path, detail } = parseExpectation(expectation);
      const onField = issues.filter((issue) => issue.path === path);
      expect({ expectation, issues: onField.length > 0 ? 'on the field' : issues }).toEqual({ expectation, issues: 'on the field' });
      // Where the API server's words are one of our CEL messages, zod must use the same words.
      if (detail !== '' && allCelMessages.some((m) => m.includes(detail))) {
        expect(onField.map((i) => i.message).some((m) => m.includes(detail))).toBe(true);
      }
    }
  });

  it('cite each CEL rule of the Agent spec at least once', () => {
    const cited = new Set(fixtures.flatMap((f) => f.expects.map((e) => parseExpectation(e).detail)).filter((d) => d !== ''));
    const specRules = ['declarative is required', 'byo is required', 'declarative may only', 'byo may only', 'deployment.image may only', 'deployment.imagePullPolicy may only'];
    for (const rule of specRules) expect([...cited].some((c) => c.startsWith(rule))).toBe(true);
  });
});
