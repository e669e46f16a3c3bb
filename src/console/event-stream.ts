import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

/**
 * A page's event stream: `change` with a version whenever what it shows may have changed (first at
 * once), a ping every 15 s so proxies keep it open, and every subscription dropped when it closes.
 */
export function streamChanges(c: Context, subscribe: (send: (version: number) => void) => (() => void)[], first: () => number | Promise<number>) {
  return streamSSE(c, async (stream) => {
    let stop = () => {};
    const closed = new Promise<void>((resolve) => (stop = resolve));
    const send = (version: number) => void stream.writeSSE({ event: 'change', id: String(version), data: String(version) }).catch(() => {});
    const unsubscribe = subscribe(send);
    stream.onAbort(() => {
      unsubscribe.forEach((drop) => drop());
      stop();
    });
    const version = await first();
    await stream.writeSSE({ event: 'change', id: String(version), data: String(version) });
    while (!stream.aborted) {
      await Promise.race([stream.sleep(15_000), closed]);
      if (!stream.aborted) await stream.writeSSE({ event: 'ping', data: '' });
    }
  });
}
