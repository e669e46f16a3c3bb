import { setTimeout as sleep } from 'node:timers/promises';
import type { SignalDefinition, WorkflowHandle } from '@temporalio/client';
import { sequenceWorkflowId } from '../domain/ids.js';
import { statusQuery, type SequenceStatus } from '../workflows/sequence-messages.js';
import { usageError } from './cli-error.js';
import { connectClient } from './connect.js';
import { NO_WORKER_HINT } from './worker-presence.js';

export interface SequenceAddress {
  projectId: string;
  episode: string;
  sequenceId: string;
}

export type SignalOutcome =
  | { kind: 'applied'; status: SequenceStatus }
  | { kind: 'refused'; reason: string }
  | { kind: 'queued'; message: string };

/**
 * Sends a signal to one sequence and reports what became of it: applied, refused with the
 * workflow's reason, or queued durably until a worker comes back.
 */
export async function sendSequenceSignal<T>(
  address: SequenceAddress,
  signal: SignalDefinition<[T]>,
  arg: T | ((current: SequenceStatus | undefined) => T),
): Promise<SignalOutcome> {
  const { client, connection } = await connectClient();
  try {
    const handle = client.workflow.getHandle(sequenceWorkflowId(address.projectId, address.episode, address.sequenceId));
    await ensureRunning(handle, address);
    // Only a live worker answers a query: no answer means the signal waits durably for one.
    const before = await connection.withDeadline(Date.now() + 3_000, () => handle.query(statusQuery)).catch(() => undefined);
    await handle.signal(signal, typeof arg === 'function' ? (arg as (s?: SequenceStatus) => T)(before) : arg);
    if (!before) return { kind: 'queued', message: `signal recorded; it will apply when a worker comes back (${NO_WORKER_HINT})` };
    return await awaitOutcome(handle, before, signal.name);
  } finally {
    await connection.close();
  }
}

async function ensureRunning(handle: WorkflowHandle, address: SequenceAddress): Promise<void> {
  const where = `${address.projectId}/${address.episode}/${address.sequenceId}`;
  let description;
  try {
    description = await handle.describe();
  } catch {
    throw usageError(`there is no sequence ${where}: check the ids with \`npx recoil status ${address.projectId}\``);
  }
  if (description.status.name !== 'RUNNING') {
    throw usageError(`sequence ${where} is closed (${description.status.name.toLowerCase()}): nothing to change`);
  }
}

async function awaitOutcome(handle: WorkflowHandle, before: SequenceStatus, signalName: string): Promise<SignalOutcome> {
  for (let i = 0; i < 50; i++) {
    const after = await handle.query(statusQuery).catch(() => undefined);
    if (after) {
      const refusal = after.refused.slice(before.refused.length).find((r) => r.signal === signalName);
      if (refusal) return { kind: 'refused', reason: refusal.reason };
      if (after.history.length > before.history.length) return { kind: 'applied', status: after };
    }
    await sleep(200);
  }
  return { kind: 'queued', message: 'signal recorded; the workflow has not acted on it yet' };
}
