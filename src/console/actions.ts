import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { episodeWorkflowId, sequenceWorkflowId } from '../domain/ids.js';
import { setBudgetSignal } from '../workflows/episode-messages.js';
import { approveSignal, regenerateFramesSignal, retakeSignal, selectFrameSignal } from '../workflows/sequence-messages.js';
import type { EpisodeRef, SequenceRef } from './refs.js';

export type Decision =
  | { kind: 'approve'; take: number; note?: string }
  | { kind: 'retake'; note: string; shots?: Record<string, string> }
  | { kind: 'selectFrame'; grid: number; quadrant: number }
  | { kind: 'regenerateFrames'; prompt?: string; note?: string };

export type DecisionOutcome =
  | { kind: 'accepted'; requestId: string }
  | { kind: 'refused'; requestId: string; reason: string }
  | { kind: 'recorded'; requestId: string; message: string };

/** The console's decisions, sent to the sequence workflow as the CLI sends them. */
export async function decideOnSequence(client: Client, ref: SequenceRef, decision: Decision, by: string): Promise<DecisionOutcome> {
  const handle = client.workflow.getHandle(sequenceWorkflowId(ref.projectId, ref.episode, ref.sequenceId));
  const requestId = randomUUID();
  switch (decision.kind) {
    case 'approve':
      await handle.signal(approveSignal, { take: decision.take, by, ...(decision.note ? { note: decision.note } : {}) });
      break;
    case 'retake':
      await handle.signal(retakeSignal, { by, note: decision.note, ...(decision.shots ? { shots: decision.shots } : {}) });
      break;
    case 'selectFrame':
      await handle.signal(selectFrameSignal, { grid: decision.grid, quadrant: decision.quadrant, by });
      break;
    case 'regenerateFrames':
      await handle.signal(regenerateFramesSignal, { by, ...(decision.prompt ? { prompt: decision.prompt } : {}), ...(decision.note ? { note: decision.note } : {}) });
      break;
  }
  return { kind: 'recorded', requestId, message: `${decision.kind} sent; the sequence's history shows whether it applied` };
}

export async function changeEpisodeBudget(client: Client, ref: EpisodeRef, budgetUsd: number, by: string): Promise<DecisionOutcome> {
  await client.workflow.getHandle(episodeWorkflowId(ref.projectId, ref.episode)).signal(setBudgetSignal, { budgetUsd, by });
  return { kind: 'recorded', requestId: randomUUID(), message: `budget set to $${budgetUsd.toFixed(2)}` };
}
