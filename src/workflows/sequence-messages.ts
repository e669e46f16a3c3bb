import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SequenceState } from '../domain/state-machine.js';
import type { ProviderName } from '../domain/models.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';

/** Messages of the sequence workflow, shared by the workflow and the CLI. */

export interface ApproveRequest {
  take: number;
  by: string;
  note?: string;
}

export interface RetakeRequest {
  by: string;
  note: string;
  /** Replacement prompts by 1-based shot index. */
  shots?: Record<string, string>;
}

export interface SlotGrant {
  take: number;
}

export const approveSignal = defineSignal<[ApproveRequest]>('approve');
export const retakeSignal = defineSignal<[RetakeRequest]>('retake');
/** Sent by the episode workflow when this sequence may start generating its next take. */
export const slotGrantedSignal = defineSignal<[SlotGrant]>('slotGranted');
/** Sent by a new run of the episode workflow that adopts a sequence started earlier. */
export const attachToEpisodeSignal = defineSignal<[{ episodeWorkflowId: string }]>('attachToEpisode');
export const statusQuery = defineQuery<SequenceStatus>('status');

export interface SequenceInput {
  unit: SequenceUnit;
  provider: ProviderName;
  maxTakes: number;
  /** Absent when the sequence runs on its own, without an episode to share generation slots. */
  episodeWorkflowId?: string;
}

export type TakeState = 'generating' | 'complete' | 'failed';

export interface TakeSummary {
  take: number;
  state: TakeState;
  folder?: string;
  videoPath?: string;
  requestId?: string;
  estimatedCostUsd: number;
  costUsd?: number;
  durationSec?: number;
  error?: string;
  retakeNote?: string;
  startedAt: string;
  finishedAt?: string;
}

export interface TransitionRecord {
  at: string;
  from: SequenceState;
  to: SequenceState;
  by: string;
  why: string;
}

export interface RefusedSignal {
  at: string;
  signal: string;
  by: string;
  reason: string;
}

export interface SequenceStatus {
  projectId: string;
  episode: string;
  sequenceId: string;
  title?: string;
  state: SequenceState;
  /** What the sequence is waiting for, in words a producer understands. */
  waitingFor?: string;
  takes: TakeSummary[];
  maxTakes: number;
  approvedTake?: number;
  spentUsd: number;
  estimatedTakeCostUsd: number;
  failure?: string;
  history: TransitionRecord[];
  refused: RefusedSignal[];
}
