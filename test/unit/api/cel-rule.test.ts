// A cross-field rule reports the same path however often it fails: zod prefixes array indexes onto
// an issue's path in place, and a path shared between failures grew with each one.
import { describe, expect, it } from '@jest/globals';

import { agentToolsSchema } from '../../../src/api/agent-tools.js';
import { formatIssuePath } from '../../../src/api/validation.js';

describe('celRule', () => {
  it('names the same field on every failure, for a rule on an array element', () => {
    const paths = [1, 2, 3].map(() => agentToolsSchema.safeParse([{}]).error?.issues.map((i) => formatIssuePath(i.path)));
    expect(paths).toEqual([['[0]'], ['[0]'], ['[0]']]);
  });
});
