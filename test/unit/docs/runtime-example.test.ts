// The runtime example docs/runtime.md tells newcomers to run must be a valid agent.json.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';

import { agentConfigSchema } from '../../../src/contract/agent-config.js';

describe('docs/examples/runtime-agent.json', () => {
  it('is a Declarative agent.json the runtime accepts', () => {
    const json: unknown = JSON.parse(readFileSync(new URL('../../../docs/examples/runtime-agent.json', import.meta.url), 'utf8'));
    const parsed = agentConfigSchema.safeParse(json);
    expect(parsed.success ? parsed.data.type : parsed.error.issues).toBe('Declarative');
  });
});
