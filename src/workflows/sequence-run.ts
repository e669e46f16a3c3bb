import type { FinishedTake, PreparedSequence } from '../contract/activities.js';
import type {
  ApproveRequest,
  ChosenFrame,
  DecisionName,
  DecisionRecord,
  DecisionRequests,
  FrameLink,
  GridSummary,
  NoteRequest,
  RefusalNote,
  RegenerateFramesRequest,
  RetakeRequest,
  SelectFrameRequest,
  SequenceInput,
  SequenceStatus,
  SettleSubmissionRequest,
  SubmissionQuestion,
  TakeSummary,
  TransitionRecord,
} from '../contract/sequence.js';
import type { CriticReport } from '../domain/critic-report.js';
import { noteWhere, verdictLabel, type TakeNote } from '../domain/take-notes.js';
import { applyShotOverrides, type UnitShot } from '../domain/sequence-unit.js';
import { whyDecisionIsRefused, whyRequestIsMalformed } from './decision-rules.js';
import { transition, type GeneratingStage, type SequenceEvent, type SequenceState } from '../domain/state-machine.js';

/** A frame pick that has been accepted and waits to be made the start frame: a quadrant, or the previous sequence's last frame. */
export type FrameChoice = { grid: number; quadrant: number; by: string } | { previous: { sequenceId: string; take: number }; by: string };

/**
 * Everything one sequence workflow knows: its lifecycle state, takes, grids, decisions and audit
 * trail. State changes only through these methods; a person's decision is either applied through
 * the pure state machine or recorded with the reason it was refused. Deterministic: time comes
 * from the workflow clock.
 */
export class SequenceRun {
  private current: SequenceState = 'pending';
  private readonly takes: TakeSummary[] = [];
  private readonly grids: GridSummary[] = [];
  private readonly history: TransitionRecord[] = [];
  private readonly decisions: DecisionRecord[] = [];
  private approved?: number;
  /** Allocated here and never reused; the first values come from what is already on disk. */
  private nextTake = 1;
  private nextGrid = 1;
  /** Spent by earlier runs of this sequence, so the episode's budget covers every run. */
  private spentEarlierUsd = 0;
  private chosenFrame?: ChosenFrame;
  private currentShots: UnitShot[];
  private pendingRetake?: RetakeRequest;
  private pendingFrameChoice?: FrameChoice;
  private pendingGridPrompt?: string;
  /** Where the last failure happened, so a retake goes back to that stage. */
  private failedStage?: GeneratingStage;
  private failure?: string;
  private waitingFor?: string;
  private submissionQuestion?: SubmissionQuestion;
  private submissionAnswer?: SettleSubmissionRequest;
  /** fal's billed cost of takes of this run, once reconciliation read it: it counts instead of the recorded cost. */
  private readonly billedUsd = new Map<number, number>();
  /** What the episode said about the neighbours this sequence's frames link to. */
  private previousApproved?: { sequenceId: string; take: number };
  private nextStartFrame?: string;

  constructor(private readonly input: SequenceInput) {
    this.currentShots = input.unit.shots;
  }

  get state(): SequenceState {
    return this.current;
  }

  get approvedTake(): number | undefined {
    return this.approved;
  }

  get startFrame(): ChosenFrame | undefined {
    return this.chosenFrame;
  }

  /** The shot prompts the next take uses: the plan's, with every accepted retake's replacements. */
  get shots(): UnitShot[] {
    return this.currentShots;
  }

  get spentUsd(): number {
    const takes = this.takes.reduce((sum, t) => sum + (this.billedUsd.get(t.take) ?? t.costUsd ?? 0), 0);
    return this.spentEarlierUsd + takes + this.grids.reduce((sum, g) => sum + g.costUsd, 0);
  }

  /** The cap counts every take of the sequence, earlier runs' included: numbering continues from disk. */
  get takesLeft(): number {
    return this.input.maxTakes - (this.nextTake - 1);
  }

  /** Why no take can be made any more, or undefined while one can. */
  get noTakesLeft(): string | undefined {
    if (this.takesLeft > 0) return undefined;
    // The cap is fixed for this run: more takes need a new run with a higher one.
    const more = 'or cancel the sequence (`recoil cancel`), raise max_takes_per_sequence in project.json and `recoil run` again';
    return `all ${this.input.maxTakes} takes are used: ${this.current === 'video_complete' ? `approve one, ${more}` : more.slice('or '.length)}`;
  }

  /** Continues from what earlier runs left on disk: numbering, spend and a chosen start frame. */
  resumeFrom(prepared: PreparedSequence): void {
    this.nextTake = prepared.nextTake;
    this.nextGrid = prepared.nextGrid;
    this.spentEarlierUsd = prepared.spentEarlierUsd;
    if (prepared.startFrame) this.chosenFrame = prepared.startFrame;
    if (prepared.previousApproved) this.previousApproved ??= prepared.previousApproved;
  }

  /** pending → frame_generating when start frames must be explored first, else → video_generating. */
  begin(): void {
    const exploreFirst = this.input.unit.startFrame?.kind === 'prompt' && !this.chosenFrame;
    this.apply({ type: exploreFirst ? 'start_frames' : 'start_video' }, 'pipeline', exploreFirst ? 'exploring start frames' : 'started');
  }

  // ── decisions ────────────────────────────────────────────────────────────────────────────────

  /** Why a decision would be refused now; undefined when it would be applied (or already was). */
  whyRefused<D extends DecisionName>(decision: D, request: DecisionRequests[D]): string | undefined {
    if (!whyRequestIsMalformed(request) && this.recordOf(request.requestId)) return undefined;
    return this.refusalOf(decision, request);
  }

  /**
   * Applies a decision or records why it is refused, once per request id: the same request sent
   * again (an Update retried, then its signal) returns the first record.
   */
  decide<D extends DecisionName>(decision: D, request: DecisionRequests[D]): DecisionRecord {
    const malformed = whyRequestIsMalformed(request);
    const earlier = malformed ? undefined : this.recordOf(request.requestId);
    if (earlier) return earlier;
    const requestId = (!malformed && request.requestId) || `signal-${this.decisions.length + 1}`;
    const reason = malformed ?? this.refusalOf(decision, request);
    const record: DecisionRecord = {
      requestId,
      decision,
      by: malformed ? 'unknown' : request.by,
      at: now(),
      outcome: reason ? 'refused' : 'accepted',
      detail: reason ?? this.carryOut(decision, request, requestId),
    };
    this.decisions.push(record);
    return record;
  }

  /** Lists a decision an Update's validator refused (told by whoever asked), once per request id. */
  noteRefusal(note: RefusalNote): void {
    if (this.recordOf(note.requestId)) return;
    this.decisions.push({ requestId: note.requestId, decision: note.decision, by: note.by, at: now(), outcome: 'refused', detail: note.reason });
  }

  /** The retake a person asked for, once: its new prompts now apply to every later take. */
  takeRetake(): RetakeRequest | undefined {
    const retake = this.pendingRetake;
    this.pendingRetake = undefined;
    if (retake?.shots) this.currentShots = applyShotOverrides({ ...this.input.unit, shots: this.currentShots }, retake.shots);
    return retake;
  }

  takeFrameChoice(): FrameChoice | undefined {
    const choice = this.pendingFrameChoice;
    this.pendingFrameChoice = undefined;
    return choice;
  }

  /** A pick that could not be made the start frame is kept, so a retake tries it again. */
  keepFrameChoice(choice: FrameChoice): void {
    this.pendingFrameChoice = choice;
  }

  useStartFrame(frame: ChosenFrame): void {
    this.chosenFrame = frame;
  }

  /** The episode's word on a linked neighbour; the first approval and the first start frame count. */
  linkFrame(link: FrameLink): void {
    if (link.kind === 'previous_approved') this.previousApproved ??= { sequenceId: link.sequenceId, take: link.take };
    else this.nextStartFrame ??= link.path;
  }

  /** The previous sequence's approved take, once the episode said so. */
  get previousApproval(): { sequenceId: string; take: number } | undefined {
    return this.previousApproved;
  }

  /** The next sequence's start frame, which this one ends on, once the episode said so. */
  get endFramePath(): string | undefined {
    return this.nextStartFrame;
  }

  /** The approval's author and note, for take.json. */
  get approval(): { by: string; note: string } | undefined {
    const last = this.history.at(-1);
    return this.current === 'approved' && last ? { by: last.by, note: last.why } : undefined;
  }

  // ── takes and grids ──────────────────────────────────────────────────────────────────────────

  allocateTake(): number {
    return this.nextTake++;
  }

  allocateGrid(): number {
    return this.nextGrid++;
  }

  /** The prompt of the next grid: a person's edited one, once, else the plan's. */
  takeGridPrompt(): string {
    const { startFrame } = this.input.unit;
    const prompt = this.pendingGridPrompt ?? (startFrame?.kind === 'prompt' ? startFrame.prompt : '');
    this.pendingGridPrompt = undefined;
    return prompt;
  }

  takeStarted(take: number, estimatedCostUsd: number, retakeNote: string | undefined): void {
    this.takes.push({
      take,
      state: 'generating',
      estimatedCostUsd,
      ...(this.chosenFrame ? { startFrame: this.chosenFrame.path } : {}),
      ...(retakeNote ? { retakeNote } : {}),
      startedAt: now(),
    });
  }

  takeSubmitted(take: number, requestId: string, folder: string): void {
    this.updateTake(take, { requestId, folder });
  }

  takeFinished(take: number, result: FinishedTake): void {
    this.updateTake(take, { state: 'complete', videoPath: result.videoPath, costUsd: result.costUsd, durationSec: result.durationSec, finishedAt: now() });
  }

  /** fal's records settled what these takes cost (absolute amounts, so hearing them twice changes nothing). */
  takesBilled(billed: readonly { take: number; usd: number }[]): void {
    for (const { take, usd } of billed) {
      if (this.takes.some((t) => t.take === take) && Number.isFinite(usd) && usd >= 0) this.billedUsd.set(take, usd);
    }
  }

  takeFailed(take: number, error: string, chargedUsd: number): void {
    this.updateTake(take, { state: 'failed', error, ...(chargedUsd ? { costUsd: chargedUsd } : {}), finishedAt: now() });
  }

  /** A cut-off submission fal's records do not settle: a person is asked what it was. */
  askAboutSubmission(question: SubmissionQuestion): void {
    this.submissionQuestion = question;
    this.submissionAnswer = undefined;
    this.waitingFor =
      `a person: the submission of take ${question.take} was cut off and fal's records do not settle it (${question.reason}); ` +
      'adopt fal\'s request id, submit again or give up (`npx recoil settle …`)';
  }

  get hasSubmissionAnswer(): boolean {
    return this.submissionAnswer !== undefined;
  }

  /** The person's answer about a cut-off submission, once. */
  takeSubmissionAnswer(): SettleSubmissionRequest | undefined {
    const answer = this.submissionAnswer;
    this.submissionAnswer = undefined;
    if (answer) this.waitingFor = undefined;
    return answer;
  }

  takeCriticised(take: number, critics: CriticReport): void {
    this.updateTake(take, { critics });
  }

  takeRejectedByCritics(take: number): void {
    this.updateTake(take, { state: 'rejected_by_critics' });
  }

  gridReady(summary: GridSummary): void {
    this.grids.push(summary);
    this.apply({ type: 'frames_ready' }, 'pipeline', `grid ${summary.grid} ready`);
  }

  videoReady(why: string): void {
    this.apply({ type: 'video_ready' }, 'pipeline', why);
  }

  // ── waiting and failing ──────────────────────────────────────────────────────────────────────

  /** What the sequence waits for, in words a producer understands; undefined when it waits for nothing. */
  waitFor(what: string | undefined): void {
    this.waitingFor = what;
  }

  waitForBudget(what: string): void {
    this.waitingFor = what;
    if (this.current !== 'awaiting_budget') this.apply({ type: 'wait_budget' }, 'episode', 'not enough budget left');
  }

  budgetGranted(stage: GeneratingStage): void {
    this.waitingFor = undefined;
    if (this.current === 'awaiting_budget') this.apply({ type: 'budget_granted', stage }, 'episode', 'budget available');
  }

  /** A person's decision moved the sequence on: what it waited for and its last failure are over. */
  resumedByPerson(): void {
    this.waitingFor = undefined;
    this.failure = undefined;
  }

  fail(stage: GeneratingStage, reason: string): void {
    this.failedStage = stage;
    this.failure = reason;
    this.apply({ type: 'fail' }, 'pipeline', reason);
  }

  /** The workflow is ending on a failure no decision can fix: record it as failed, whatever the state. */
  abandon(reason: string): void {
    if (this.current === 'approved' || this.current === 'failed') return;
    this.history.push({ at: now(), from: this.current, to: 'failed', by: 'pipeline', why: reason });
    this.current = 'failed';
    this.failure = reason;
  }

  // ── reading ──────────────────────────────────────────────────────────────────────────────────

  status(): SequenceStatus {
    const { unit, maxTakes } = this.input;
    return {
      projectId: unit.projectId,
      episode: unit.episode,
      sequenceId: unit.sequenceId,
      ...(unit.title ? { title: unit.title } : {}),
      state: this.current,
      ...(this.waitingFor ? { waitingFor: this.waitingFor } : {}),
      takes: this.takes.map((t) => ({ ...t, ...(this.billedUsd.has(t.take) ? { billedUsd: this.billedUsd.get(t.take) } : {}) })),
      grids: this.grids.map((g) => ({ ...g })),
      ...(this.chosenFrame ? { startFrame: { ...this.chosenFrame } } : {}),
      ...(this.previousApproved ? { previousApproval: { ...this.previousApproved } } : {}),
      maxTakes,
      ...(this.approved !== undefined ? { approvedTake: this.approved } : {}),
      spentUsd: this.spentUsd,
      estimatedTakeCostUsd: this.input.provider === 'local' ? 0 : unit.estimatedCostUsd,
      ...(this.failure ? { failure: this.failure } : {}),
      history: [...this.history],
      decisions: this.decisions.map((d) => ({ ...d })),
      ...(this.submissionQuestion ? { submissionQuestion: { ...this.submissionQuestion } } : {}),
    };
  }

  /** A short Markdown summary for the Web UI's current details. */
  describe(): string {
    const takes = this.takes.map((t) => `t${t.take}:${t.state}`).join(' ');
    const grids = this.grids.map((g) => `g${g.grid}`).join(' ');
    const waiting = this.waitingFor ? ` — waiting for ${this.waitingFor}` : '';
    return `**${this.current}**${waiting}\n\ntakes: ${takes || 'none'} · grids: ${grids || 'none'} · spent $${this.spentUsd.toFixed(2)}`;
  }

  // ── inside ───────────────────────────────────────────────────────────────────────────────────

  private apply(event: SequenceEvent, by: string, why: string): boolean {
    const result = transition(this.current, event);
    if (!result.ok) return false;
    this.history.push({ at: now(), from: this.current, to: result.state, by, why });
    this.current = result.state;
    return true;
  }

  private updateTake(take: number, change: Partial<TakeSummary>): void {
    const index = this.takes.findIndex((t) => t.take === take);
    if (index >= 0) this.takes[index] = { ...this.takes[index]!, ...change };
  }

  private recordOf(requestId: string | undefined): DecisionRecord | undefined {
    return requestId === undefined ? undefined : this.decisions.find((d) => d.requestId === requestId);
  }

  private refusalOf<D extends DecisionName>(decision: D, request: DecisionRequests[D]): string | undefined {
    return whyDecisionIsRefused(
      {
        state: this.current,
        ...(this.approved !== undefined ? { approvedTake: this.approved } : {}),
        takes: this.takes,
        grids: this.grids,
        ...(this.noTakesLeft ? { noTakesLeft: this.noTakesLeft } : {}),
        shotCount: this.input.unit.shots.length,
        hasStartFramePrompt: this.input.unit.startFrame?.kind === 'prompt',
        retakeRegeneratesFrames: this.retakeRegeneratesFrames,
        ...(this.submissionQuestion ? { submissionQuestion: this.submissionQuestion } : {}),
        ...(this.input.unit.previousSequenceId ? { previousSequenceId: this.input.unit.previousSequenceId } : {}),
        ...(this.previousApproved ? { previousApproval: this.previousApproved } : {}),
      },
      decision,
      request,
    );
  }


  /** An accepted note as it is kept on its take, for take.json. */
  noteOf(requestId: string): TakeNote | undefined {
    return this.takes.flatMap((t) => t.notes ?? []).find((n) => n.id === requestId);
  }

  /** Applies an accepted decision and says what it did. */
  private carryOut<D extends DecisionName>(decision: D, request: DecisionRequests[D], requestId: string): string {
    const apply: { [K in DecisionName]: (r: DecisionRequests[K]) => string } = {
      approve: (r) => this.approve(r),
      retake: (r) => (this.retakeRegeneratesFrames ? this.regenerateFrames({ by: r.by, note: r.note }) : this.retake(r)),
      selectFrame: (r) => this.selectFrame(r),
      regenerateFrames: (r) => this.regenerateFrames(r),
      settleSubmission: (r) => this.settleSubmission(r),
      note: (r) => this.addNote(r, requestId),
    };
    return apply[decision](request);
  }

  /** A retake of a failed grid is a new grid. */
  private get retakeRegeneratesFrames(): boolean {
    return this.current === 'failed' && this.failedStage === 'frame_generating';
  }

  private approve(request: ApproveRequest): string {
    const why = request.note ?? `approved take ${request.take}`;
    this.apply({ type: 'approve' }, request.by, why);
    this.approved = request.take;
    return `approved take ${request.take}`;
  }

  private retake(request: RetakeRequest): string {
    this.pendingRetake = request;
    const last = this.takes.at(-1);
    if (last) this.updateTake(last.take, { retakeNote: request.note });
    this.apply({ type: 'retake' }, request.by, request.note);
    const shots = Object.keys(request.shots ?? {});
    return shots.length ? `retake with new prompts for shot ${shots.join(', ')}` : 'retake';
  }

  private selectFrame(request: SelectFrameRequest): string {
    if (request.previous) {
      const previous = this.previousApproved!;
      this.pendingFrameChoice = { previous, by: request.by };
      const what = `picked ${previous.sequenceId} take ${previous.take}'s last frame`;
      this.apply({ type: 'select_frame' }, request.by, what);
      return what;
    }
    const grid = request.grid ?? this.grids.at(-1)!.grid;
    this.pendingFrameChoice = { grid, quadrant: request.quadrant!, by: request.by };
    const what = `picked quadrant ${request.quadrant} of grid ${grid}`;
    this.apply({ type: 'select_frame' }, request.by, what);
    return what;
  }

  private settleSubmission(request: SettleSubmissionRequest): string {
    this.submissionAnswer = request;
    this.submissionQuestion = undefined;
    const what = { adopt: `adopt fal's request ${request.providerRequestId} as take ${request.take}`, resubmit: `submit take ${request.take} again`, give_up: `give up take ${request.take}` };
    return what[request.action];
  }

  private addNote(request: NoteRequest, id: string): string {
    const { take, frame, endFrame, shot, text, colour, drawing, verdict, by } = request;
    const note: TakeNote = {
      id,
      take,
      frame,
      ...(endFrame !== undefined && endFrame !== frame ? { endFrame } : {}),
      ...(shot !== undefined ? { shot } : {}),
      text: text.trim(),
      colour: colour ?? 'RED',
      ...(drawing?.length ? { drawing } : {}),
      ...(verdict ? { verdict } : {}),
      by,
      at: now(),
    };
    const notes = this.takes.find((t) => t.take === take)?.notes ?? [];
    this.updateTake(take, { notes: [...notes, note] });
    if (verdict) return `client verdict on take ${take}: ${verdictLabel(verdict)} (for a director to confirm): ${note.text}`;
    return `note on take ${take} at ${noteWhere(note)}${shot !== undefined ? ` (shot ${shot})` : ''}: ${note.text}`;
  }

  private regenerateFrames(request: RegenerateFramesRequest): string {
    this.pendingGridPrompt = request.prompt;
    this.apply({ type: 'regenerate_frames' }, request.by, request.note ?? 'new start-frame options requested');
    return request.prompt ? 'new start-frame options with a new prompt' : 'new start-frame options';
  }

}

function now(): string {
  // Date is deterministic inside a workflow: it is the time of the current workflow task.
  return new Date().toISOString();
}
