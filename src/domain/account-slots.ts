/**
 * The jobs one provider account may run at once, shared by every episode and project that uses the
 * account: first asked, first served. Pure state, owned by the account's gate workflow.
 */

/** One paid job's claim on the account, made by the workflow that will submit it. */
export interface SlotClaim {
  /** The workflow that asked, and to which the grant is sent. */
  holder: string;
  /** Which of the holder's jobs (a holder may run several over its life, one at a time). */
  ticket: string;
  /** What a person reads in `recoil status`, e.g. "driver-beware EP001 SEQ03 take 2". */
  label: string;
  askedAt: string;
}

export interface AccountSlotsState {
  capacity: number;
  holding: SlotClaim[];
  waiting: SlotClaim[];
}

const sameClaim = (a: Pick<SlotClaim, 'holder' | 'ticket'>) => (b: SlotClaim) => a.holder === b.holder && a.ticket === b.ticket;

export class AccountSlots {
  private capacity: number;
  private readonly holding: SlotClaim[];
  private readonly waiting: SlotClaim[];

  constructor(state: AccountSlotsState) {
    this.capacity = state.capacity;
    this.holding = [...state.holding];
    this.waiting = [...state.waiting];
  }

  /** The latest capacity asked for wins: a worker started with a new limit changes it for everyone. */
  setCapacity(capacity: number): void {
    if (Number.isInteger(capacity) && capacity > 0) this.capacity = capacity;
  }

  /** Queues a claim; asking again for a claim already held or queued (a retried request) changes nothing. */
  ask(claim: SlotClaim): void {
    if (this.holding.some(sameClaim(claim)) || this.waiting.some(sameClaim(claim))) return;
    this.waiting.push(claim);
  }

  /** Frees a held slot, or withdraws a claim still waiting. Releasing twice is harmless. */
  release(claim: Pick<SlotClaim, 'holder' | 'ticket'>): void {
    for (const list of [this.holding, this.waiting]) {
      const at = list.findIndex(sameClaim(claim));
      if (at >= 0) list.splice(at, 1);
    }
  }

  /** Frees everything a holder held or asked for: it no longer exists to release it. */
  releaseHolder(holder: string): void {
    for (const claim of [...this.holding, ...this.waiting]) if (claim.holder === holder) this.release(claim);
  }

  isHolding(claim: Pick<SlotClaim, 'holder' | 'ticket'>): boolean {
    return this.holding.some(sameClaim(claim));
  }

  get canGrant(): boolean {
    return this.waiting.length > 0 && this.holding.length < this.capacity;
  }

  /** Moves claims from the front of the line into free slots, and returns them to be told. */
  grant(): SlotClaim[] {
    const granted: SlotClaim[] = [];
    while (this.canGrant) {
      const next = this.waiting.shift()!;
      this.holding.push(next);
      granted.push(next);
    }
    return granted;
  }

  get idle(): boolean {
    return this.holding.length === 0 && this.waiting.length === 0;
  }

  get someoneWaits(): boolean {
    return this.waiting.length > 0;
  }

  /** Every distinct workflow holding a slot. */
  get holders(): string[] {
    return [...new Set(this.holding.map((c) => c.holder))];
  }

  snapshot(): AccountSlotsState {
    return { capacity: this.capacity, holding: [...this.holding], waiting: [...this.waiting] };
  }
}
