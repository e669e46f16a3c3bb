import { setTimeout as sleep } from 'node:timers/promises';
import type { FalClient } from '@fal-ai/client';
import type { AwaitContext } from '../provider.js';

export interface WaitOptions {
  endpoint: string;
  requestId: string;
  pollIntervalMs: number;
}

/**
 * Polls the request's status until fal reports it COMPLETED, heartbeating each answer: the
 * heartbeat keeps a long wait alive in Temporal and is how cancellation reaches this activity.
 * COMPLETED says nothing about success: a refusal only shows when the result is fetched.
 */
export async function waitForCompletion(fal: FalClient, options: WaitOptions, ctx: AwaitContext): Promise<void> {
  const { endpoint, requestId, pollIntervalMs } = options;
  for (;;) {
    // The full endpoint id is fine: the SDK drops its subpath for status URLs itself.
    const status = await fal.queue.status(endpoint, { requestId, logs: false, abortSignal: ctx.signal });
    ctx.heartbeat({
      requestId,
      status: status.status,
      ...(status.status === 'IN_QUEUE' ? { queuePosition: status.queue_position } : {}),
    });
    if (status.status === 'COMPLETED') return;
    await sleep(pollIntervalMs, undefined, { signal: ctx.signal });
  }
}
