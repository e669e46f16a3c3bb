import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CriticReport } from '../domain/critic-report.js';
import type { GenerationRequest, WaitReason } from '../domain/generation-ledger.js';
import type { SequenceState } from '../domain/state-machine.js';
import type { ProviderName } from '../domain/models.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';
import type { NoteFields } from '../domain/note-schema.js';
import type { TakeNote } from '../domain/take-notes.js';

/**
 * What crosses the sequence workflow's boundary: its decisions, queries and the signals the episode
 * sends it, with the types the workflow, the CLI and the console share.
 *
 * A person's decision exists twice under one name: as a Workflow Update (answered at once with
 * "accepted" or the refusal, when a worker is live) and as a signal (recorded durably and applied
 * when a worker comes back; scripts and `temporal workflow signal` use it). Both run the same
 * handler and rules, and a request id makes the same decision count once however it arrives.
 */

interface DecisionRequest {
  /** Chosen by whoever decides (the CLI, the console); one a signal lacks is made up by the workflow. */
  requestId?: string;
  by: string;
}

export interface ApproveRequest extends DecisionRequest {
  take: number;
  note?: string;
}

export interface RetakeRequest extends DecisionRequest {
  note: string;
  /** Replacement prompts by 1-based shot index. */
  shots?: Record<string, string>;
}

/** A quadrant of a grid, or (`previous: true`) the previous sequence's approved last frame. */
export interface SelectFrameRequest extends DecisionRequest {
  /** The newest grid when absent. */
  grid?: number;
  quadrant?: number;
  previous?: boolean;
}

export interface RegenerateFramesRequest extends DecisionRequest {
  note?: string;
  /** A new prompt for the grid; the plan's start_frame.prompt otherwise. */
  prompt?: string;
}

/** A note pinned to a frame or range of a finished take, kept with the take and in the decisions. */
export type NoteRequest = DecisionRequest & NoteFields;

/** What a person can do with a take whose submission was cut off and fal's records do not settle. */
export const SUBMISSION_ACTIONS = ['adopt', 'resubmit', 'give_up'] as const;
export type SubmissionAction = (typeof SUBMISSION_ACTIONS)[number];

export interface SettleSubmissionRequest extends DecisionRequest {
  take: number;
  action: SubmissionAction;
  /** With `adopt`: fal's request id that is this take's job (from fal's dashboard or billing records). */
  providerRequestId?: string;
}

export interface DecisionRequests {
  approve: ApproveRequest;
  retake: RetakeRequest;
  selectFrame: SelectFrameRequest;
  regenerateFrames: RegenerateFramesRequest;
  settleSubmission: SettleSubmissionRequest;
  note: NoteRequest;
}

export type DecisionName = keyof DecisionRequests;

/** A decision as the sequence took it: applied, or refused with the reason. */
export interface DecisionRecord {
  requestId: string;
  decision: DecisionName;
  by: string;
  at: string;
  outcome: 'accepted' | 'refused';
  /** What it did ("picked quadrant 3 of grid 1") or why it was refused. */
  detail: string;
}

export const approveSignal = defineSignal<[ApproveRequest]>('approve');
export const retakeSignal = defineSignal<[RetakeRequest]>('retake');
export const selectFrameSignal = defineSignal<[SelectFrameRequest]>('selectFrame');
export const regenerateFramesSignal = defineSignal<[RegenerateFramesRequest]>('regenerateFrames');
export const settleSubmissionSignal = defineSignal<[SettleSubmissionRequest]>('settleSubmission');
export const noteSignal = defineSignal<[NoteRequest]>('note');

export const approveUpdate = defineUpdate<DecisionRecord, [ApproveRequest]>('approve');
export const retakeUpdate = defineUpdate<DecisionRecord, [RetakeRequest]>('retake');
export const selectFrameUpdate = defineUpdate<DecisionRecord, [SelectFrameRequest]>('selectFrame');
export const regenerateFramesUpdate = defineUpdate<DecisionRecord, [RegenerateFramesRequest]>('regenerateFrames');
export const settleSubmissionUpdate = defineUpdate<DecisionRecord, [SettleSubmissionRequest]>('settleSubmission');
export const noteUpdate = defineUpdate<DecisionRecord, [NoteRequest]>('note');

/**
 * What the episode tells a sequence linked to a neighbour: the previous sequence approved a take
 * (this one starts from its last frame), or the next one has its start frame (this one ends on it).
 */
export type FrameLink = { kind: 'previous_approved'; sequenceId: string; take: number } | { kind: 'next_start_frame'; sequenceId: string; path: string };

export const frameLinkSignal = defineSignal<[FrameLink]>('frameLink');

export type GenerationTicket = Pick<GenerationRequest, 'kind' | 'number'>;

export interface GenerationWait extends GenerationTicket {
  /** 'refused': the episode cannot hold the request at all (`why` says why); nothing was reserved. */
  reason: WaitReason | 'refused';
  estimateUsd: number;
  leftUsd?: number;
  why?: string;
}

/**
 * Sent by whoever asked after a validator refused their Update: a refused Update leaves no trace in
 * the workflow, and the sequence's history should list every refusal with its reason.
 */
export interface RefusalNote {
  requestId: string;
  decision: DecisionName;
  by: string;
  reason: string;
}
export const decisionRefusedSignal = defineSignal<[RefusalNote]>('decisionRefused');

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
  /** The longest pause between retries of a fault that outlasts them; 60 s unless a test shortens it. */
  retryCapSec?: number;
  /** Absent when the sequence runs on its own, without an episode to share generation slots. */
  episodeWorkflowId?: string;
  /** How often fal's billing records are read while a cut-off submission is settled; 30 s unless a test shortens it. */
  recordsCheckEverySec?: number;
}

/** A take whose cut-off submission waits for a person: what they are asked, and why. */
export interface SubmissionQuestion {
  take: number;
  reason: string;
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
  /** What fal billed for it, once reconciled (docs/money.md): counts instead of costUsd. */
  billedUsd?: number;
  durationSec?: number;
  error?: string;
  retakeNote?: string;
  /** Reviewers' notes on frames or ranges of this take, oldest first. */
  notes?: TakeNote[];
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
  /** The take whose last frame this is, when the sequence continues from the one before it. */
  previous?: { sequenceId: string; take: number };
  by: string;
}

export interface TransitionRecord {
  at: string;
  from: SequenceState;
  to: SequenceState;
  by: string;
  why: string;
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
  /** The previous sequence's approved take: its last frame can be picked as this one's start frame. */
  previousApproval?: { sequenceId: string; take: number };
  maxTakes: number;
  approvedTake?: number;
  spentUsd: number;
  estimatedTakeCostUsd: number;
  failure?: string;
  history: TransitionRecord[];
  /** Every decision taken or refused, oldest first. */
  decisions: DecisionRecord[];
  /** A take whose submission was cut off and waits for a person to settle it. */
  submissionQuestion?: SubmissionQuestion;
}

/**
 * What the board shows of a sequence, kept in the workflow's memo so a board of hundreds of
 * sequences is read with one visibility listing instead of a query each.
 */
export interface SequenceCard {
  takesUsed: number;
  maxTakes: number;
  approvedTake?: number;
  estimatedTakeCostUsd: number;
  waitingFor?: string;
  failure?: string;
  /** The newest take's flagged critic findings. */
  flagged?: { take: number; findings: string[] };
  startFrame?: { grid?: number; quadrant?: number; by: string };
  /** The previous sequence's approved take, once there is one: a start-frame option. */
  previousApproval?: { sequenceId: string; take: number };
  lastEvent?: string;
  submissionQuestion?: SubmissionQuestion;
}

/** The memo key the card is kept under. */
export const SEQUENCE_CARD_MEMO = 'card';

export function sequenceCard(status: SequenceStatus): SequenceCard {
  const newest = status.takes.at(-1);
  const flagged = newest?.critics && !newest.critics.ok ? newest.critics.findings.filter((f) => !f.ok).map((f) => f.message) : [];
  const lastEvent = status.history.at(-1)?.why;
  return {
    takesUsed: status.takes.length,
    maxTakes: status.maxTakes,
    ...(status.approvedTake !== undefined ? { approvedTake: status.approvedTake } : {}),
    estimatedTakeCostUsd: status.estimatedTakeCostUsd,
    ...(status.waitingFor ? { waitingFor: status.waitingFor } : {}),
    ...(status.failure ? { failure: status.failure } : {}),
    ...(newest && flagged.length ? { flagged: { take: newest.take, findings: flagged } } : {}),
    ...(status.startFrame ? { startFrame: { ...(status.startFrame.grid ? { grid: status.startFrame.grid, quadrant: status.startFrame.quadrant } : {}), by: status.startFrame.by } } : {}),
    ...(status.previousApproval ? { previousApproval: { ...status.previousApproval } } : {}),
    ...(lastEvent ? { lastEvent } : {}),
    ...(status.submissionQuestion ? { submissionQuestion: status.submissionQuestion } : {}),
  };
}
