import { describe, expect, it } from '@jest/globals';

import { agentSchema } from '../../../src/api/agent.js';
import { remoteAgentSchema } from '../../../src/api/remote-agent.js';
import { validateAgent, validateModelConfig, validateWith } from '../../../src/api/validation.js';
import { loadFixtures } from '../../harness/fixtures.js';

const fixtures = loadFixtures('valid');

describe('valid fixtures', () => {
  it('include agents of both types, with and without a2aConfig, and ModelConfigs for several providers', () => {
    const agents = fixtures.filter((f) => f.kind === 'Agent').map((f) => agentSchema.parse(f.object));
    expect(new Set(agents.map((a) => a.spec.type))).toEqual(new Set(['Declarative', 'BYO']));
    expect(agents.some((a) => a.spec.a2aConfig !== undefined)).toBe(true);
    expect(agents.some((a) => a.spec.a2aConfig === undefined)).toBe(true);
    expect(fixtures.filter((f) => f.kind === 'ModelConfig').length).toBeGreaterThanOrEqual(4);
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('%s is accepted by zod', (_file, fixture) => {
    const result =
      fixture.kind === 'Agent' ? validateAgent(fixture.object) : fixture.kind === 'RemoteAgent' ? validateWith(remoteAgentSchema, fixture.object) : validateModelConfig(fixture.object);
    expect(result.success ? [] : result.issues).toEqual([]);
  });

  it('defaults a BYO port to 8080, like the API server', () => {
    const minimal = fixtures.find((f) => f.file === 'agent-byo-minimal.yaml');
    expect(agentSchema.parse(minimal?.object).spec.byo?.port).toBe(8080);
  });
});
