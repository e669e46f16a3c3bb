import { transition, type SequenceEvent, type SequenceState } from '../domain/state-machine.js';
import type {
  ApproveRequest,
  RefusedSignal,
  RetakeRequest,
  SequenceInput,
  SequenceStatus,
  TakeSummary,
  TransitionRecord,
} from './sequence-messages.js';

/**
 * The in-memory state of one sequence workflow: its lifecycle state, takes and audit trail.
 * Deterministic (time comes from the workflow clock), so it can live inside workflow code.
 */
export class SequenceRun {
  state: SequenceState = 'pending';
  readonly takes: TakeSummary[] = [];
  readonly history: TransitionRecord[] = [];
  readonly refused: RefusedSignal[] = [];
  approvedTake?: number;
  pendingRetake?: RetakeRequest;
  failure?: string;
  waitingFor?: string;

  constructor(private readonly input: SequenceInput) {}

  get spentUsd(): number {
    return this.takes.reduce((sum, t) => sum + (t.costUsd ?? 0), 0);
  }

  get takesLeft(): number {
    return this.input.maxTakes - this.takes.length;
  }

  apply(event: SequenceEvent, by: string, why: string): boolean {
    const result = transition(this.state, event);
    if (!result.ok) return false;
    this.history.push({ at: now(), from: this.state, to: result.state, by, why });
    this.state = result.state;
    return true;
  }

  /** Applies an approve signal or records why it was refused; never throws. */
  approve(request: ApproveRequest): void {
    const reason = this.whyApproveIsRefused(request);
    if (reason) return this.refuse('approve', request.by, reason);
    this.apply({ type: 'approve' }, request.by, request.note ?? `approved take ${request.take}`);
    this.approvedTake = request.take;
  }

  retake(request: RetakeRequest): void {
    const reason = this.whyRetakeIsRefused(request);
    if (reason) return this.refuse('retake', request.by, reason);
    this.pendingRetake = request;
    const last = this.takes.at(-1);
    if (last) last.retakeNote = request.note;
    this.apply({ type: 'retake' }, request.by, request.note);
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
      maxTakes,
      ...(this.approvedTake !== undefined ? { approvedTake: this.approvedTake } : {}),
      spentUsd: this.spentUsd,
      estimatedTakeCostUsd: unit.estimatedCostUsd,
      ...(this.failure ? { failure: this.failure } : {}),
      history: [...this.history],
      refused: [...this.refused],
    };
  }

  private whyApproveIsRefused(request: ApproveRequest): string | undefined {
    if (this.state === 'approved') return `already approved (take ${this.approvedTake})`;
    const take = this.takes.find((t) => t.take === request.take);
    if (!take) {
      const known = this.takes.map((t) => t.take).join(', ') || 'none yet';
      return `there is no take ${request.take} (takes: ${known})`;
    }
    if (take.state !== 'complete') return `take ${request.take} is ${take.state}, only a finished take can be approved`;
    const check = transition(this.state, { type: 'approve' });
    return check.ok ? undefined : check.reason;
  }

  private whyRetakeIsRefused(request: RetakeRequest): string | undefined {
    const check = transition(this.state, { type: 'retake' });
    if (!check.ok) return check.reason;
    if (this.takesLeft <= 0) {
      return `all ${this.input.maxTakes} takes are used: approve one or raise max_takes_per_sequence in project.json`;
    }
    const shotCount = this.input.unit.shots.length;
    const badShot = Object.keys(request.shots ?? {}).find((k) => !(Number(k) >= 1 && Number(k) <= shotCount));
    if (badShot !== undefined) return `shot ${badShot} does not exist (this sequence has shots 1–${shotCount})`;
    return undefined;
  }
}

function now(): string {
  // Date is deterministic inside a workflow: it is the time of the current workflow task.
  return new Date().toISOString();
}
