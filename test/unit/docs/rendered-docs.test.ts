// The manifests shown in the docs are what `agentry render` prints for the commands written above
// them, so the docs cannot drift from what the operator applies. Each block looks like:
//
//   <!-- agentry render -f config/samples/x.yaml --config y.yaml -->
//   ```yaml
//   ...output...
//   ```
//   <!-- end agentry render -->
//
// UPDATE_GOLDEN=1 rewrites the blocks from the current code (review the diff); any other value
// compares, as in the golden tests.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCommand } from '../../../src/cli/render-command.js';
import { updateGolden } from '../../harness/update-golden.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS = ['README.md', 'docs/gateway-agentgateway.md', 'docs/gateway-api.md'];
const BLOCK = /<!-- agentry render (.+?) -->\n```yaml\n([\s\S]*?)```\n<!-- end agentry render -->/g;

async function render(args: string): Promise<string> {
  let out = '';
  let err = '';
  const code = await renderCommand(args.split(/\s+/), {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readFile: (path) => readFile(join(root, path), 'utf8'),
  });
  if (code !== 0) throw new Error(`agentry render ${args} failed (${code}): ${err}`);
  return out;
}

const UPDATE = updateGolden();

describe('the UPDATE_GOLDEN flag', () => {
  it('rewrites only when it is 1', () => {
    expect(updateGolden({ UPDATE_GOLDEN: '1' })).toBe(true);
    for (const value of [undefined, '', '0', 'false', 'no']) expect({ value, update: updateGolden({ UPDATE_GOLDEN: value }) }).toEqual({ value, update: false });
  });
});

describe('manifests shown in the docs', () => {
  it.each(DOCS)('%s shows what agentry render prints', async (doc) => {
    const path = join(root, doc);
    const text = readFileSync(path, 'utf8');
    const blocks = [...text.matchAll(BLOCK)];
    expect(blocks.length).toBeGreaterThan(0);
    let updated = text;
    for (const [whole, args = '', shown] of blocks) {
      const rendered = await render(args);
      if (UPDATE) {
        updated = updated.replace(whole, `<!-- agentry render ${args} -->\n\`\`\`yaml\n${rendered}\`\`\`\n<!-- end agentry render -->`);
      } else {
        expect(shown).toBe(rendered);
      }
    }
    if (UPDATE && updated !== text) writeFileSync(path, updated);
  });
});
