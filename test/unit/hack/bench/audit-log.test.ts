// The one audit-log reader (hack/bench/audit-log.ts) reads the log while the API server appends to
// it: a last line cut short is one still being written and is left for the next read, while a broken
// line anywhere else is an error, not something to skip (a zero-writes check must not pass because
// the write it should have seen was unreadable).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { auditedWrites, readAuditLog } from '../../../../hack/bench/audit-log.js';

const event = (verb: string, userAgent: string, at: string) =>
  JSON.stringify({ verb, userAgent, requestURI: `/api/v1/namespaces/a/configmaps/${verb}`, requestReceivedTimestamp: at, stageTimestamp: at, user: { username: 'admin' }, objectRef: { resource: 'configmaps', namespace: 'a', name: verb } });

describe('readAuditLog', () => {
  let dir = '';
  let file = '';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentry-audit-'));
    file = join(dir, 'audit.log');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves out a last line the API server is still writing', async () => {
    const complete = [event('create', 'op/1', '2026-11-21T00:00:01.000001Z'), event('patch', 'op/1', '2026-11-21T00:00:02.000001Z')];
    const partial = event('delete', 'op/1', '2026-11-21T00:00:03.000001Z').slice(0, 60);
    await writeFile(file, `${complete.join('\n')}\n${partial}`);
    expect((await readAuditLog(file)).map((e) => e.verb)).toEqual(['create', 'patch']);
  });

  it('fails on a broken line that is not the last one', async () => {
    await writeFile(file, `${event('create', 'op/1', '2026-11-21T00:00:01Z')}\n{"verb":"pat\n${event('delete', 'op/1', '2026-11-21T00:00:03Z')}\n`);
    await expect(readAuditLog(file)).rejects.toThrow(/audit\.log:2: not an audit event/);
  });

  it('selects by text and by stage timestamp, both ends included', async () => {
    await writeFile(
      file,
      [event('create', 'op/1', '2026-11-21T00:00:01Z'), event('patch', 'other/1', '2026-11-21T00:00:02Z'), event('update', 'op/1', '2026-11-21T00:00:02Z'), event('delete', 'op/1', '2026-11-21T00:00:03Z')].join('\n') + '\n',
    );
    const events = await readAuditLog(file, { contains: 'op/1', from: Date.parse('2026-11-21T00:00:01Z'), to: Date.parse('2026-11-21T00:00:02Z') });
    expect(events.map((e) => e.verb)).toEqual(['create', 'update']);
    expect((await auditedWrites(file, 'op/1')).map((w) => `${w.verb} ${w.resource}/${w.name ?? ''}`)).toEqual(['create configmaps/create', 'update configmaps/update', 'delete configmaps/delete']);
  });
});
