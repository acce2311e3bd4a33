// A loopback TCP port that was free a moment ago, for a process that will bind it itself. Chosen
// below the kernel's ephemeral range: a port the OS hands out for port 0 is also what it hands out
// to outgoing connections, and on a busy machine (API server clients, watches) one of those can take
// it between this check and the process's bind ("address already in use"). A random port below the
// range is only ever taken by another listener, and is tried before it is returned.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const FALLBACK_EPHEMERAL_START = 32768;
const LOWEST = 10000;
const ATTEMPTS = 64;

/** The first port of the kernel's ephemeral range (Linux), or the common default. */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1000 ? first : FALLBACK_EPHEMERAL_START;
  } catch {
    return FALLBACK_EPHEMERAL_START;
  }
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address !== null && typeof address === 'object' ? address.port : undefined));
    });
  });
}

export async function freePort(): Promise<number> {
  const top = ephemeralStart();
  for (let i = 0; i < ATTEMPTS; i++) {
    const candidate = LOWEST + Math.floor(Math.random() * (top - LOWEST));
    const port = await tryListen(candidate);
    if (port !== undefined) return port;
  }
  // Everything tried was taken: let the OS pick (the old behaviour).
  const port = await tryListen(0);
  if (port === undefined) throw new Error('could not allocate a port');
  return port;
}
