import type { AspectRatio, Resolution } from '../domain/aspect-ratio.js';
import type { ProviderName } from '../domain/models.js';
import type { SequenceUnit, UnitShot, UnitStartFrame } from '../domain/sequence-unit.js';
import type { TakeNote } from '../domain/take-notes.js';
import type { ChosenFrame } from './sequence.js';

/**
 * What the workflows hand to the StepRunner's activities and get back. Everything here is recorded
 * in workflow history, so it never carries a secret.
 */

export interface SequenceRef {
  projectId: string;
  episode: string;
  sequenceId: string;
}

export interface TakeRef extends SequenceRef {
  take: number;
}

export interface PrepareRequest extends SequenceRef {
  projectDir: string;
  startFrame: UnitStartFrame | null;
  resolution: Resolution;
  /** The plan's sequence before this one: its take approved in an earlier run is looked up. */
  previousSequenceId?: string;
}

export interface PreparedSequence {
  nextTake: number;
  nextGrid: number;
  /** What earlier runs of this sequence spent (take.json and grid.json on disk). */
  spentEarlierUsd: number;
  /** The start frame already in clean/ (an earlier choice, or the plan's image copied there now). */
  startFrame?: ChosenFrame;
  /** The previous sequence's take approved in an earlier run, if any. */
  previousApproved?: { sequenceId: string; take: number };
}

/** The last frame of a take of the previous sequence, made this sequence's start frame. */
export interface ChainFrameRequest {
  projectId: string;
  episode: string;
  sequenceId: string;
  previousSequenceId: string;
  /** The previous sequence's approved take; without it, its latest take approved on disk (an earlier run), if any. */
  take?: number;
  resolution: Resolution;
}

export interface TakeRequest {
  unit: SequenceUnit;
  shots: UnitShot[];
  take: number;
  provider: ProviderName;
  retakeNote?: string;
  /** The chosen start frame in clean/, when the sequence has one. */
  startFramePath?: string;
  /** The next sequence's start frame, when this one ends on it (`end_frame: { next: true }`). */
  endFramePath?: string;
  /**
   * Submit again a take whose earlier submission was cut off: set only once fal's records showed
   * the provider never ran it, or a person said so (docs/money.md).
   */
  resubmit?: { why: string };
}

/** A submitted take to follow until the provider has finished it. */
export interface ProviderJobRequest extends TakeRequest {
  requestId: string;
  /**
   * The slots this job holds, freed by the activity itself the moment the provider says it is done:
   * the next take's submission need not wait for this workflow's next task. The workflow frees them
   * again afterwards (a second release changes nothing), so a lost hand-over costs only time.
   */
  handOver?: SlotsHeld;
}

export interface SlotsHeld {
  /** The episode that granted the take its slot and budget, settled at the job's cost. */
  episodeWorkflowId?: string;
  /** The provider account's gate and this job's ticket there. */
  accountSlot?: { gate: string; ticket: string };
}

/** A take whose submission was cut off before its request id came back, to be settled. */
export interface CutOffRequest extends TakeRequest {
  /** When the workflow learnt the submission was cut off (its own clock). */
  cutOffAt: string;
}

/** What settling a cut-off submission concluded; `adopt` has already been written to take.json. */
export type SettlementOutcome =
  | { kind: 'adopt'; requestId: string; folder: string; detail: string }
  | { kind: 'never_ran'; detail: string }
  | { kind: 'wait'; detail: string }
  | { kind: 'undecided'; detail: string };

/** A person names the provider's request that is this take's job. */
export interface AdoptRequest extends TakeRequest {
  providerRequestId: string;
  by: string;
}

/** The provider accepted the job: from here on the take counts as paid for, whatever happens next. */
export interface SubmittedTake {
  requestId: string;
  folder: string;
}

export interface FinishedTake {
  videoPath: string;
  durationSec: number;
  width: number;
  height: number;
  costUsd: number;
}

export interface CriticRequest extends TakeRef {
  expected: { durationSec: number; aspectRatio: AspectRatio; resolution: Resolution };
  /** Where the take must cut together with a neighbour; paths absolute or relative to `projectDir`. */
  continuity?: ContinuityLinks & { projectDir: string };
}

/** A frame a take must meet, and where it comes from, in words. */
export interface FrameToMeet {
  path: string;
  what: string;
}

export interface ContinuityLinks {
  /** The take's first frame must be this one (the previous sequence's approved last frame). */
  startsOn?: FrameToMeet;
  /** The take's last frame must be this one (the next sequence's start frame, or the plan's end image). */
  endsOn?: FrameToMeet;
}

export interface TakeDecisionRecord extends TakeRef {
  decision: 'approved' | 'retake';
  by: string;
  note?: string;
}

export interface TakeNoteRecord extends TakeRef {
  note: TakeNote;
}

export interface TakeFailure extends TakeRef {
  error: string;
  /** What the budget counts as spent on it: the estimate when the provider may have charged. */
  chargedUsd: number;
}

export interface GridExplorationRequest extends SequenceRef {
  grid: number;
  prompt: string;
  aspectRatio: AspectRatio;
  provider: 'local' | 'gemini';
}

export interface FrameChoice extends SequenceRef {
  grid: number;
  quadrant: number;
  by: string;
}

export interface DeliveryRequest {
  projectId: string;
  episode: string;
  /** A missing take means "the latest take whose take.json records an approval". */
  sequences: { sequenceId: string; take?: number }[];
}

export interface DeliveryResult {
  /** False when the latest version already holds exactly these approved takes: nothing new was made. */
  created: boolean;
  version: number;
  dir: string;
  /** The cut itself. */
  path: string;
  timelinePath: string;
}

/**
 * Whether a failed paid call may have cost money. The activity that made the call is the only one
 * that can tell, so it says so in the failure's details; the workflow only reads the verdict.
 */
export type Billing = 'not_charged' | 'may_have_charged';

/** The failure type of a submission cut off before its request id came back. */
export const UNKNOWN_SUBMISSION = 'UnknownSubmission';

export interface PaidCallFailureDetails {
  billing: Billing;
}
