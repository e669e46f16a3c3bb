import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CriticReport } from '../domain/critic-report.js';
import type { GenerationRequest, WaitReason } from '../domain/generation-ledger.js';
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

export interface SelectFrameRequest {
  grid: number;
  quadrant: number;
  by: string;
}

export interface RegenerateFramesRequest {
  by: string;
  note?: string;
  /** A new prompt for the grid; the plan's start_frame.prompt otherwise. */
  prompt?: string;
}

export type GenerationTicket = Pick<GenerationRequest, 'kind' | 'number'>;

export interface GenerationWait extends GenerationTicket {
  reason: WaitReason;
  estimateUsd: number;
  leftUsd?: number;
}

export const approveSignal = defineSignal<[ApproveRequest]>('approve');
export const retakeSignal = defineSignal<[RetakeRequest]>('retake');
export const selectFrameSignal = defineSignal<[SelectFrameRequest]>('selectFrame');
export const regenerateFramesSignal = defineSignal<[RegenerateFramesRequest]>('regenerateFrames');
/** Sent by the episode workflow when a paid call of this sequence may start, or why it must wait. */
export const generationGrantedSignal = defineSignal<[GenerationTicket]>('generationGranted');
export const generationWaitingSignal = defineSignal<[GenerationWait]>('generationWaiting');
/** Sent by a new run of the episode workflow that adopts a sequence started earlier. */
export const attachToEpisodeSignal = defineSignal<[{ episodeWorkflowId: string }]>('attachToEpisode');
export const statusQuery = defineQuery<SequenceStatus>('status');

export interface SequenceInput {
  unit: SequenceUnit;
  provider: ProviderName;
  maxTakes: number;
  /** Critic-rejected takes retaken automatically before a person is asked. */
  autoRetakes: number;
  /** How soon a crashed worker's call is retried elsewhere; 30 s unless a test shortens it. */
  heartbeatTimeoutSec?: number;
  /** Absent when the sequence runs on its own, without an episode to share generation slots. */
  episodeWorkflowId?: string;
}

export type TakeState = 'generating' | 'complete' | 'rejected_by_critics' | 'failed';

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
  critics?: CriticReport;
  startFrame?: string;
  startedAt: string;
  finishedAt?: string;
}

export interface GridSummary {
  grid: number;
  folder: string;
  gridPath: string;
  quadrants: string[];
  prompt: string;
  costUsd: number;
  critics?: CriticReport;
}

export interface ChosenFrame {
  path: string;
  grid?: number;
  quadrant?: number;
  by: string;
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
  grids: GridSummary[];
  startFrame?: ChosenFrame;
  maxTakes: number;
  approvedTake?: number;
  spentUsd: number;
  estimatedTakeCostUsd: number;
  failure?: string;
  history: TransitionRecord[];
  refused: RefusedSignal[];
}
