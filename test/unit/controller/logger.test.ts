import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Logger } from '../../../src/controller/logger.js';
import { noopLogger } from '../../../src/controller/logger.js';
import { Informer } from '../../../src/controller/informer.js';
import { FakeListWatch } from './fakes/fake-list-watch.js';
import { configMap } from './fakes/objects.js';

describe('Logger', () => {
  it('accepts a pino logger as is (checked by tsc) and logs structured fields through it', async () => {
    const lines: string[] = [];
    const logger: Logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const informer = new Informer({ listWatch: new FakeListWatch([configMap('a')]), name: 'configmaps', logger, resyncPeriodMs: 0 });
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    informer.start();
    await informer.waitForSync();
    await informer.stop();

    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failure = records.find((r) => r['msg'] === 'event handler threw');
    expect(failure).toMatchObject({ level: 50, informer: 'configmaps', event: 'add', object: 'default/a' });
    expect(failure?.['err']).toMatchObject({ message: 'handler bug', type: 'Error' });
  });

  it('noopLogger discards everything, children included', () => {
    expect(() => {
      noopLogger.info('x');
      noopLogger.child({ a: 1 }).error({ err: new Error('y') }, 'z');
    }).not.toThrow();
    expect(noopLogger.child({})).toBe(noopLogger);
  });
});
