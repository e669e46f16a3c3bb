import { setTimeout as sleep } from 'node:timers/promises';
import { isQueueStatus, type FalClient, type QueueStatus } from '@fal-ai/client';
import type { AwaitContext } from '../provider.js';

export interface WaitOptions {
  endpoint: string;
  requestId: string;
  /** How often to poll when the status stream is not available. */
  pollIntervalMs: number;
  /** How often to check the status by hand while the stream is quiet, in case it hangs without closing. */
  streamCheckMs: number;
}

/** The activity must heartbeat well inside the shortest heartbeat timeout, even while fal says nothing. */
const KEEP_ALIVE_MS = 1_000;

/**
 * Resolves once fal reports the request COMPLETED, heartbeating every status seen: the heartbeat
 * keeps a long wait alive in Temporal and is how cancellation reaches this activity. It follows
 * fal's status stream, so a finished job is known the moment fal says so; if the stream breaks or
 * is not offered, it polls instead. Nothing here submits: it only ever follows `requestId`.
 * COMPLETED says nothing about success: a refusal only shows when the result is fetched.
 */
export async function waitForCompletion(fal: FalClient, options: WaitOptions, ctx: AwaitContext): Promise<void> {
  const beat = statusBeat(options.requestId, ctx);
  const keepAlive = setInterval(() => beat.again(), KEEP_ALIVE_MS);
  try {
    if (await followStatusStream(fal, options, ctx, beat)) return;
    ctx.signal.throwIfAborted();
    await pollUntilCompleted(fal, options, ctx, beat);
  } finally {
    clearInterval(keepAlive);
  }
}

interface StatusBeat {
  (status: QueueStatus): void;
  /** Repeats the last heartbeat, so a quiet wait still shows it is alive. */
  again(): void;
}

function statusBeat(requestId: string, ctx: AwaitContext): StatusBeat {
  let last: object = { requestId };
  const beat = (status: QueueStatus) => {
    last = { requestId, status: status.status, ...(status.status === 'IN_QUEUE' ? { queuePosition: status.queue_position } : {}) };
    ctx.heartbeat(last);
  };
  return Object.assign(beat, { again: () => ctx.heartbeat(last) });
}

/** True when the stream reported COMPLETED; false when it ended or broke first (the caller polls). */
async function followStatusStream(fal: FalClient, options: WaitOptions, ctx: AwaitContext, beat: StatusBeat): Promise<boolean> {
  const { endpoint, requestId } = options;
  let completed = false;
  const stream = await fal.queue.streamStatus(endpoint, { requestId, logs: false }).catch(() => undefined);
  if (!stream) return false;
  const seen = (status: unknown) => {
    if (isQueueStatus(status)) beat(status);
    if (!saysCompleted(status)) return;
    completed = true;
    stream.abort();
  };
  const stop = () => stream.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  stream.on('data', seen);
  // The SDK's stream has no idle timeout that works, and fal only speaks on a change of status.
  const check = setInterval(() => {
    fal.queue.status(endpoint, { requestId, logs: false, abortSignal: ctx.signal }).then(seen, () => undefined);
  }, options.streamCheckMs);
  try {
    await stream.done();
  } catch {
    // A broken stream costs nothing: polling takes over from here.
  } finally {
    clearInterval(check);
    ctx.signal.removeEventListener('abort', stop);
  }
  ctx.signal.throwIfAborted();
  return completed;
}

/**
 * COMPLETED counts however it arrives: the SDK's isQueueStatus also wants a `response_url`, and a
 * COMPLETED without one must not keep a take (and its account slot) waiting forever.
 */
function saysCompleted(status: unknown): boolean {
  return typeof status === 'object' && status !== null && (status as { status?: unknown }).status === 'COMPLETED';
}

async function pollUntilCompleted(fal: FalClient, options: WaitOptions, ctx: AwaitContext, beat: StatusBeat): Promise<void> {
  const { endpoint, requestId, pollIntervalMs } = options;
  for (;;) {
    // The full endpoint id is fine: the SDK drops its subpath for status URLs itself.
    const status = await fal.queue.status(endpoint, { requestId, logs: false, abortSignal: ctx.signal });
    if (isQueueStatus(status)) beat(status);
    if (saysCompleted(status)) return;
    await sleep(pollIntervalMs, undefined, { signal: ctx.signal });
  }
}
