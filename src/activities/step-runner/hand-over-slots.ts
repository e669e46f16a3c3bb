import { activityInfo, Context, log } from '@temporalio/activity';
import { releaseAccountSlotSignal } from '../../contract/account-gate.js';
import type { SlotsHeld } from '../../contract/activities.js';
import { settleGenerationSignal } from '../../contract/episode.js';

/**
 * Frees a finished job's slots from the worker that saw the provider finish it, straight to the
 * episode and the account's gate: the next take is submitted without waiting for the holding
 * workflow to be told and to send the same. The workflow still frees them itself afterwards, so a
 * hand-over that fails here is only logged.
 */
export async function handOverSlots(held: SlotsHeld, job: { sequenceId: string; take: number; costUsd: number }): Promise<void> {
  const { client } = Context.current();
  const holder = activityInfo().workflowExecution?.workflowId;
  const { episodeWorkflowId, accountSlot } = held;
  const settled = { sequenceId: job.sequenceId, kind: 'video' as const, number: job.take, actualUsd: job.costUsd };
  await Promise.all([
    accountSlot && holder ? client.workflow.getHandle(accountSlot.gate).signal(releaseAccountSlotSignal, { holder, ticket: accountSlot.ticket }) : undefined,
    episodeWorkflowId ? client.workflow.getHandle(episodeWorkflowId).signal(settleGenerationSignal, settled) : undefined,
  ].map((sent) => sent?.catch((err: unknown) => log.warn('could not hand over the slots of a finished job; its workflow frees them', { take: job.take, error: String(err) }))));
}
