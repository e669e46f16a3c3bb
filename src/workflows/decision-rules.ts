import type {
  ApproveRequest,
  DecisionName,
  DecisionRequests,
  GridSummary,
  NoteRequest,
  RegenerateFramesRequest,
  RetakeRequest,
  SelectFrameRequest,
  SettleSubmissionRequest,
  SubmissionQuestion,
  TakeSummary,
} from '../contract/sequence.js';
import { SUBMISSION_ACTIONS } from '../contract/sequence.js';
import { SHOT_LIMITS } from '../domain/shot-limits.js';
import { transition, type SequenceState } from '../domain/state-machine.js';

/** What the refusal rules read of a sequence; the rules judge it and change nothing. */
export interface DecisionView {
  state: SequenceState;
  approvedTake?: number;
  takes: readonly TakeSummary[];
  grids: readonly GridSummary[];
  /** Why no take can be made any more, or undefined while one can. */
  noTakesLeft?: string;
  shotCount: number;
  hasStartFramePrompt: boolean;
  /** A retake of a failed grid is a new grid, judged as new frame options. */
  retakeRegeneratesFrames: boolean;
  /** A take whose cut-off submission waits for a person. */
  submissionQuestion?: SubmissionQuestion;
  previousSequenceId?: string;
  previousApproval?: { sequenceId: string; take: number };
}

/** A request no rule can read (not an object, no name, a request id that is not text): refused as such. */
export function whyRequestIsMalformed(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return `a decision must be an object naming who decides ("by"), got ${JSON.stringify(request) ?? 'nothing'}`;
  const { by, requestId } = request as { by?: unknown; requestId?: unknown };
  if (typeof by !== 'string' || by.trim() === '') return 'a decision must name who decides ("by")';
  if (requestId !== undefined && typeof requestId !== 'string') return `a request id must be text, got ${JSON.stringify(requestId)}`;
  return undefined;
}

/** Why a person's decision cannot apply to the sequence as it is; undefined when it can. */
export function whyDecisionIsRefused<D extends DecisionName>(view: DecisionView, decision: D, request: DecisionRequests[D]): string | undefined {
  const malformed = whyRequestIsMalformed(request);
  if (malformed) return malformed;
  const rules: { [K in DecisionName]: (r: DecisionRequests[K]) => string | undefined } = {
    approve: (r) => whyApproveIsRefused(view, r),
    retake: (r) => (view.retakeRegeneratesFrames ? whyRegenerateIsRefused(view, { by: r.by }) : whyRetakeIsRefused(view, r)),
    selectFrame: (r) => whySelectionIsRefused(view, r),
    regenerateFrames: (r) => whyRegenerateIsRefused(view, r),
    settleSubmission: (r) => whySettlementIsRefused(view, r),
    note: (r) => whyNoteIsRefused(view, r),
  };
  return rules[decision](request);
}

function whyApproveIsRefused(view: DecisionView, request: ApproveRequest): string | undefined {
  if (view.state === 'approved') return `already approved (take ${view.approvedTake})`;
  const check = transition(view.state, { type: 'approve' });
  if (!check.ok) return check.reason;
  const take = view.takes.find((t) => t.take === request.take);
  if (!take) {
    const known = view.takes.map((t) => t.take).join(', ') || 'none yet';
    return `there is no take ${request.take} (takes: ${known})`;
  }
  if (!take.videoPath) return `take ${request.take} is ${take.state}, only a finished take can be approved`;
  return undefined;
}

function whyRetakeIsRefused(view: DecisionView, request: RetakeRequest): string | undefined {
  const check = transition(view.state, { type: 'retake' });
  if (!check.ok) return check.reason;
  if (view.noTakesLeft) return view.noTakesLeft;
  return whyShotsAreRefused(request.shots ?? {}, view.shotCount);
}

function whySelectionIsRefused(view: DecisionView, request: SelectFrameRequest): string | undefined {
  const check = transition(view.state, { type: 'select_frame' });
  if (!check.ok) return check.reason;
  if (request.previous) return whyPreviousIsRefused(view, request);
  const grid = request.grid ?? view.grids.at(-1)?.grid;
  if (grid === undefined) return 'there is no grid yet: wait for frame_review';
  if (!view.grids.some((g) => g.grid === grid)) return `there is no grid ${grid} (grids: ${view.grids.map((g) => g.grid).join(', ')})`;
  if (![1, 2, 3, 4].includes(request.quadrant ?? 0)) return `quadrant must be 1–4 (left to right, top to bottom), got ${request.quadrant}`;
  return view.noTakesLeft;
}

function whyPreviousIsRefused(view: DecisionView, request: SelectFrameRequest): string | undefined {
  if (request.quadrant !== undefined) return 'pick a quadrant or the previous sequence\'s last frame, not both';
  if (!view.previousSequenceId) return 'this is the plan\'s first sequence: there is no previous one to start from';
  if (!view.previousApproval) return `${view.previousSequenceId} has no approved take yet: approve one first, or pick a quadrant`;
  return view.noTakesLeft;
}

function whyRegenerateIsRefused(view: DecisionView, request: RegenerateFramesRequest): string | undefined {
  if (!view.hasStartFramePrompt && !request.prompt) return 'this sequence has no start_frame.prompt: pass a prompt to explore frames';
  const check = transition(view.state, { type: 'regenerate_frames' });
  if (!check.ok) return check.reason;
  // New frames are only worth paying for when a take can still follow them.
  return view.noTakesLeft;
}

function whySettlementIsRefused(view: DecisionView, request: SettleSubmissionRequest): string | undefined {
  const question = view.submissionQuestion;
  if (!question) return 'no take is waiting for a decision about its submission';
  if (request.take !== question.take) return `take ${question.take} is the one waiting for a decision about its submission, not take ${request.take}`;
  if (!(SUBMISSION_ACTIONS as readonly string[]).includes(request.action)) return `the action is one of ${SUBMISSION_ACTIONS.join(', ')}, got "${String(request.action)}"`;
  if (request.action === 'adopt' && !/^[\w.-]{1,200}$/.test(request.providerRequestId ?? '')) return 'to adopt, name fal\'s request id (letters, digits, dots, dashes), as fal\'s dashboard shows it';
  return undefined;
}

/**
 * A note goes on a finished take, at a frame (or range) inside it. The console and the CLI check
 * the rest of its shape; a hand-made signal is checked here for what would break the record.
 */
function whyNoteIsRefused(view: DecisionView, request: NoteRequest): string | undefined {
  const take = view.takes.find((t) => t.take === request.take);
  if (!take) return `there is no take ${request.take} (takes: ${view.takes.map((t) => t.take).join(', ') || 'none yet'})`;
  if (!take.videoPath) return `take ${request.take} is ${take.state}: notes go on a finished take`;
  if (typeof request.text !== 'string' || !request.text.trim()) return 'a note needs its text';
  if (!Number.isInteger(request.frame) || request.frame < 0) return `a note's frame is a whole number from 0, got ${JSON.stringify(request.frame)}`;
  if (request.endFrame !== undefined && !(Number.isInteger(request.endFrame) && request.endFrame >= request.frame)) return `the out point (${request.endFrame}) must be a frame at or after the in point (${request.frame})`;
  if (request.shot !== undefined && !(Number.isInteger(request.shot) && request.shot >= 1 && request.shot <= view.shotCount)) return `shot ${request.shot} does not exist (this sequence has shots 1–${view.shotCount})`;
  if (request.drawing !== undefined && !Array.isArray(request.drawing)) return 'a drawing is a list of strokes';
  if (request.verdict !== undefined && request.verdict !== 'approved' && request.verdict !== 'changes_wanted') return `a verdict is "approved" or "changes_wanted", got ${JSON.stringify(request.verdict)}`;
  return undefined;
}

/** New shot prompts must name shots that exist, as plain numbers, and be prompts the plan would accept. */
function whyShotsAreRefused(shots: Record<string, string>, shotCount: number): string | undefined {
  for (const [key, prompt] of Object.entries(shots)) {
    if (!/^[1-9]\d*$/.test(key) || Number(key) > shotCount) return `shot ${key} does not exist (this sequence has shots 1–${shotCount})`;
    if (!prompt.trim()) return `the new prompt for shot ${key} is empty`;
    if (prompt.length > SHOT_LIMITS.maxPromptChars) return `the new prompt for shot ${key} is longer than ${SHOT_LIMITS.maxPromptChars} characters`;
  }
  return undefined;
}
