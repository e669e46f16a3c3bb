import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * `count` distinct loopback ports free now, below 32768: the OS's own picks (ephemeral ports) land
 * higher, and Temporal stores membership ports in a Postgres smallint.
 */
export async function freeLowPorts(count: number): Promise<number[]> {
  const taken = new Set<number>();
  while (taken.size < count) {
    const candidate = 10_000 + randomInt(22_000);
    if (!taken.has(candidate) && (await isFree(candidate))) taken.add(candidate);
  }
  return [...taken];
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((settle) => {
    server.once('error', () => settle(false));
    server.listen(port, '127.0.0.1', () => settle(true));
  });
  if (listening) await new Promise((closed) => server.close(closed));
  return listening;
}
