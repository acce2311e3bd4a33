import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

import { describe, expect, it } from '@jest/globals';

import { freePort } from '../../../../hack/control-plane/free-port.js';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('freePort', () => {
  it('returns a loopback port below the ephemeral range that can be bound', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(10000);
    expect(port).toBeLessThan(ephemeralStart);
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  });
});
