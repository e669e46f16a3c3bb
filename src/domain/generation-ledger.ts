import { roundUsd } from './price-table.js';

/**
 * The episode's single authority over paid work: which requests may start now, given the
 * generation slots (video jobs in flight) and the money left. Pure bookkeeping, so the episode
 * workflow can hold it and tests can drive it directly.
 */
export interface GenerationRequest {
  sequenceId: string;
  /** Take number for videos, grid number for grids. */
  number: number;
  kind: 'video' | 'grid';
  estimateUsd: number;
  /** Granted by an earlier run of the episode and still running: it holds its slot and reservation here too. */
  alreadyGranted?: boolean;
}

export type WaitReason = 'slot' | 'budget';

export interface WaitingRequest {
  request: GenerationRequest;
  reason: WaitReason;
}

const isUsableUsd = (usd: unknown): usd is number => typeof usd === 'number' && Number.isFinite(usd) && usd >= 0;

/** A request the ledger cannot hold: a missing or broken estimate would slip past every budget check (NaN compares false). */
function whyRequestIsRefused(request: GenerationRequest): string | undefined {
  if (typeof request?.sequenceId !== 'string' || !Number.isInteger(request.number) || (request.kind !== 'video' && request.kind !== 'grid')) {
    return `a generation request must name a sequence, a kind (video or grid) and a whole number; got ${JSON.stringify(request)}`;
  }
  if (!isUsableUsd(request.estimateUsd)) return `the ${request.kind} ${request.number} of ${request.sequenceId} has no usable cost estimate (${request.estimateUsd})`;
  return undefined;
}

const keyOf = (r: Pick<GenerationRequest, 'sequenceId' | 'number' | 'kind'>) => `${r.sequenceId}/${r.kind}/${r.number}`;

export class GenerationLedger {
  private readonly queue: GenerationRequest[] = [];
  private readonly inFlight = new Map<string, GenerationRequest>();
  private readonly spentBySequence = new Map<string, number>();
  /** What each request settled in this run was counted at, so fal's bill can replace it. */
  private readonly countedByKey = new Map<string, number>();
  /** fal's billed cost per request, once reconciliation read it (docs/money.md). */
  private readonly billedByKey = new Map<string, number>();

  constructor(
    private readonly maxParallel: number,
    private budget: number | undefined,
  ) {}

  get budgetUsd(): number | undefined {
    return this.budget;
  }

  get spentUsd(): number {
    return roundUsd([...this.spentBySequence.values()].reduce((a, b) => a + b, 0));
  }

  get reservedUsd(): number {
    return roundUsd([...this.inFlight.values()].reduce((sum, r) => sum + r.estimateUsd, 0));
  }

  get leftUsd(): number | undefined {
    return this.budget === undefined ? undefined : roundUsd(this.budget - this.spentUsd - this.reservedUsd);
  }

  get generating(): string[] {
    return [...this.inFlight.values()].filter((r) => r.kind === 'video').map((r) => r.sequenceId);
  }

  /** Queues a request, or returns why it is refused: it then waits for nothing and changes nothing. */
  request(request: GenerationRequest): string | undefined {
    const refusal = whyRequestIsRefused(request);
    if (refusal) return refusal;
    const key = keyOf(request);
    if (this.inFlight.has(key) || this.queue.some((q) => keyOf(q) === key)) return undefined;
    if (request.alreadyGranted) this.inFlight.set(key, request);
    else this.queue.push(request);
    return undefined;
  }

  /** Settles a finished or failed request: its reservation becomes what was actually charged. */
  settle(request: Pick<GenerationRequest, 'sequenceId' | 'number' | 'kind'>, actualUsd: number): void {
    const key = keyOf(request);
    const queued = this.queue.findIndex((q) => keyOf(q) === key);
    if (queued >= 0) this.queue.splice(queued, 1);
    const reserved = this.inFlight.get(key);
    if (!reserved) return;
    this.inFlight.delete(key);
    // fal's bill, when already known, counts over anything else; an unusable actual cost counts at
    // the estimate: spend is never under-counted.
    const counted = this.billedByKey.get(key) ?? (isUsableUsd(actualUsd) ? actualUsd : reserved.estimateUsd);
    this.countedByKey.set(key, counted);
    this.addSpend(request.sequenceId, counted);
  }

  /**
   * fal's records say what a request cost: it replaces what was counted for it (absolute, so
   * hearing it twice changes nothing). A request still in flight counts it when it settles.
   */
  recordBilled(request: Pick<GenerationRequest, 'sequenceId' | 'number' | 'kind'>, billedUsd: number): void {
    if (!isUsableUsd(billedUsd)) return;
    const key = keyOf(request);
    this.billedByKey.set(key, billedUsd);
    const counted = this.countedByKey.get(key);
    if (counted === undefined) return;
    this.countedByKey.set(key, billedUsd);
    this.addSpend(request.sequenceId, billedUsd - counted);
  }

  /** A sequence adopted from an earlier run reports what it had already spent. */
  recordSequenceSpend(sequenceId: string, totalUsd: number): void {
    const known = this.spentBySequence.get(sequenceId) ?? 0;
    if (totalUsd > known) this.spentBySequence.set(sequenceId, roundUsd(totalUsd));
  }

  setBudget(budgetUsd: number | undefined): void {
    this.budget = budgetUsd;
  }

  /** Grants, in queue order, every request that fits now; a request that doesn't fit lets later ones pass. */
  grant(): GenerationRequest[] {
    const granted: GenerationRequest[] = [];
    for (const request of [...this.queue]) {
      if (this.whyWaiting(request)) continue;
      this.queue.splice(this.queue.indexOf(request), 1);
      this.inFlight.set(keyOf(request), request);
      granted.push(request);
    }
    return granted;
  }

  waiting(): WaitingRequest[] {
    return this.queue.map((request) => ({ request, reason: this.whyWaiting(request) ?? 'slot' }));
  }

  private whyWaiting(request: GenerationRequest): WaitReason | undefined {
    const left = this.leftUsd;
    if (left !== undefined && request.estimateUsd > left + 1e-9) return 'budget';
    if (request.kind === 'video' && this.generating.length >= this.maxParallel) return 'slot';
    return undefined;
  }

  private addSpend(sequenceId: string, usd: number): void {
    this.spentBySequence.set(sequenceId, roundUsd((this.spentBySequence.get(sequenceId) ?? 0) + usd));
  }
}
