import { SHOT_LIMITS } from '../domain/shot-limits.js';
import { transition, type GeneratingStage, type SequenceEvent, type SequenceState } from '../domain/state-machine.js';
import type {
  ApproveRequest,
  ChosenFrame,
  GridSummary,
  RefusedSignal,
  RegenerateFramesRequest,
  RetakeRequest,
  SelectFrameRequest,
  SequenceInput,
  SequenceStatus,
  TakeSummary,
  TransitionRecord,
} from './sequence-messages.js';

/**
 * The in-memory state of one sequence workflow: its lifecycle state, takes, grids and audit trail.
 * Signal handlers call the methods here; each either applies through the pure state machine or
 * records why it was refused. Deterministic (time comes from the workflow clock).
 */
export class SequenceRun {
  state: SequenceState = 'pending';
  readonly takes: TakeSummary[] = [];
  readonly grids: GridSummary[] = [];
  readonly history: TransitionRecord[] = [];
  readonly refused: RefusedSignal[] = [];
  approvedTake?: number;
  /** Allocated here and never reused; the first values come from what is already on disk. */
  nextTake = 1;
  nextGrid = 1;
  startFrame?: ChosenFrame;
  pendingRetake?: RetakeRequest;
  pendingFrameChoice?: SelectFrameRequest;
  pendingGridPrompt?: string;
  /** Where the last failure happened, so a retake goes back to that stage. */
  failedStage?: GeneratingStage;
  failure?: string;
  waitingFor?: string;

  /**
   * @param strictLimits the take cap counts earlier runs and frame picks, and retake prompts are
   *   checked; false only when replaying a history recorded before these rules (see `patched`).
   */
  constructor(
    private readonly input: SequenceInput,
    readonly strictLimits = true,
  ) {}

  /** Spent by earlier runs of this sequence, so the episode's budget covers every run. */
  spentEarlierUsd = 0;

  get spentUsd(): number {
    const takes = this.takes.reduce((sum, t) => sum + (t.costUsd ?? 0), 0);
    return this.spentEarlierUsd + takes + this.grids.reduce((sum, g) => sum + g.costUsd, 0);
  }

  /** The cap counts every take of the sequence, earlier runs' included: numbering continues from disk. */
  get takesLeft(): number {
    return this.input.maxTakes - (this.strictLimits ? this.nextTake - 1 : this.takes.length);
  }

  /** Why no take can be made any more, or undefined while one can. */
  get noTakesLeft(): string | undefined {
    if (this.takesLeft > 0) return undefined;
    // The cap is fixed for this run: more takes need a new run with a higher one.
    const more = 'or cancel the sequence (`recoil cancel`), raise max_takes_per_sequence in project.json and `recoil run` again';
    return `all ${this.input.maxTakes} takes are used: ${this.state === 'video_complete' ? `approve one, ${more}` : more.slice('or '.length)}`;
  }

  apply(event: SequenceEvent, by: string, why: string): boolean {
    const result = transition(this.state, event);
    if (!result.ok) return false;
    this.history.push({ at: now(), from: this.state, to: result.state, by, why });
    this.state = result.state;
    return true;
  }

  fail(stage: GeneratingStage, reason: string): void {
    this.failedStage = stage;
    this.failure = reason;
    this.apply({ type: 'fail' }, 'pipeline', reason);
  }

  /** The workflow is ending on a failure no signal can fix: record it as failed, whatever the state. */
  abandon(reason: string): void {
    if (this.state === 'approved' || this.state === 'failed') return;
    this.history.push({ at: now(), from: this.state, to: 'failed', by: 'pipeline', why: reason });
    this.state = 'failed';
    this.failure = reason;
  }

  approve(request: ApproveRequest): void {
    const reason = this.whyApproveIsRefused(request);
    if (reason) return this.refuse('approve', request.by, reason);
    this.apply({ type: 'approve' }, request.by, request.note ?? `approved take ${request.take}`);
    this.approvedTake = request.take;
  }

  retake(request: RetakeRequest): void {
    // A retake of a failed grid is a new grid; any refusal is still the retake's, as the CLI awaits it.
    if (this.state === 'failed' && this.failedStage === 'frame_generating') {
      return this.regenerateFrames({ by: request.by, note: request.note }, 'retake');
    }
    const reason = this.whyRetakeIsRefused(request);
    if (reason) return this.refuse('retake', request.by, reason);
    this.pendingRetake = request;
    const last = this.takes.at(-1);
    if (last) last.retakeNote = request.note;
    this.apply({ type: 'retake' }, request.by, request.note);
  }

  selectFrame(request: SelectFrameRequest): void {
    const reason = this.whySelectionIsRefused(request);
    if (reason) return this.refuse('selectFrame', request.by, reason);
    this.pendingFrameChoice = request;
    this.apply({ type: 'select_frame' }, request.by, `picked quadrant ${request.quadrant} of grid ${request.grid}`);
  }

  regenerateFrames(request: RegenerateFramesRequest, signal = 'regenerateFrames'): void {
    if (!this.input.unit.startFrame || this.input.unit.startFrame.kind !== 'prompt') {
      if (!request.prompt) return this.refuse(signal, request.by, 'this sequence has no start_frame.prompt: pass a prompt to explore frames');
    }
    const check = transition(this.state, { type: 'regenerate_frames' });
    if (!check.ok) return this.refuse(signal, request.by, check.reason);
    // New frames are only worth paying for when a take can still follow them.
    if (this.strictLimits && this.noTakesLeft) return this.refuse(signal, request.by, this.noTakesLeft);
    this.pendingGridPrompt = request.prompt;
    this.apply({ type: 'regenerate_frames' }, request.by, request.note ?? 'new start-frame options requested');
  }

  refuse(signal: string, by: string, reason: string): void {
    this.refused.push({ at: now(), signal, by, reason });
  }

  status(): SequenceStatus {
    const { unit, maxTakes } = this.input;
    return {
      projectId: unit.projectId,
      episode: unit.episode,
      sequenceId: unit.sequenceId,
      ...(unit.title ? { title: unit.title } : {}),
      state: this.state,
      ...(this.waitingFor ? { waitingFor: this.waitingFor } : {}),
      takes: this.takes.map((t) => ({ ...t })),
      grids: this.grids.map((g) => ({ ...g })),
      ...(this.startFrame ? { startFrame: { ...this.startFrame } } : {}),
      maxTakes,
      ...(this.approvedTake !== undefined ? { approvedTake: this.approvedTake } : {}),
      spentUsd: this.spentUsd,
      estimatedTakeCostUsd: this.input.provider === 'local' ? 0 : unit.estimatedCostUsd,
      ...(this.failure ? { failure: this.failure } : {}),
      history: [...this.history],
      refused: [...this.refused],
    };
  }

  private whyApproveIsRefused(request: ApproveRequest): string | undefined {
    if (this.state === 'approved') return `already approved (take ${this.approvedTake})`;
    const check = transition(this.state, { type: 'approve' });
    if (!check.ok) return check.reason;
    const take = this.takes.find((t) => t.take === request.take);
    if (!take) {
      const known = this.takes.map((t) => t.take).join(', ') || 'none yet';
      return `there is no take ${request.take} (takes: ${known})`;
    }
    if (!take.videoPath) return `take ${request.take} is ${take.state}, only a finished take can be approved`;
    return undefined;
  }

  private whyRetakeIsRefused(request: RetakeRequest): string | undefined {
    const check = transition(this.state, { type: 'retake' });
    if (!check.ok) return check.reason;
    if (this.noTakesLeft) return this.noTakesLeft;
    return whyShotsAreRefused(request.shots ?? {}, this.input.unit.shots.length, this.strictLimits);
  }

  private whySelectionIsRefused(request: SelectFrameRequest): string | undefined {
    const check = transition(this.state, { type: 'select_frame' });
    if (!check.ok) return check.reason;
    if (!this.grids.some((g) => g.grid === request.grid)) {
      return `there is no grid ${request.grid} (grids: ${this.grids.map((g) => g.grid).join(', ') || 'none yet'})`;
    }
    if (![1, 2, 3, 4].includes(request.quadrant)) return `quadrant must be 1–4 (left to right, top to bottom), got ${request.quadrant}`;
    return this.strictLimits ? this.noTakesLeft : undefined;
  }
}

function now(): string {
  // Date is deterministic inside a workflow: it is the time of the current workflow task.
  return new Date().toISOString();
}

/** New shot prompts must name shots that exist, as plain numbers, and be prompts the plan would accept. */
function whyShotsAreRefused(shots: Record<string, string>, shotCount: number, strict: boolean): string | undefined {
  if (!strict) {
    const badShot = Object.keys(shots).find((k) => !(Number(k) >= 1 && Number(k) <= shotCount));
    return badShot === undefined ? undefined : `shot ${badShot} does not exist (this sequence has shots 1–${shotCount})`;
  }
  for (const [key, prompt] of Object.entries(shots)) {
    if (!/^[1-9]\d*$/.test(key) || Number(key) > shotCount) return `shot ${key} does not exist (this sequence has shots 1–${shotCount})`;
    if (!prompt.trim()) return `the new prompt for shot ${key} is empty`;
    if (prompt.length > SHOT_LIMITS.maxPromptChars) return `the new prompt for shot ${key} is longer than ${SHOT_LIMITS.maxPromptChars} characters`;
  }
  return undefined;
}
