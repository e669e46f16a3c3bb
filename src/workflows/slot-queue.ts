import type { SlotRequest } from './episode-messages.js';

/**
 * A FIFO semaphore over generation slots: at most `limit` sequences generate at once.
 * Pure bookkeeping; the episode workflow sends the grants.
 */
export class SlotQueue {
  private readonly waiting: SlotRequest[] = [];
  private readonly holders = new Map<string, number>();

  constructor(private readonly limit: number) {}

  request(req: SlotRequest): void {
    if (this.holders.get(req.sequenceId) === req.take) return;
    if (this.waiting.some((w) => w.sequenceId === req.sequenceId && w.take === req.take)) return;
    this.waiting.push(req);
  }

  release(req: SlotRequest): void {
    if (this.holders.get(req.sequenceId) === req.take) this.holders.delete(req.sequenceId);
    const queued = this.waiting.findIndex((w) => w.sequenceId === req.sequenceId && w.take === req.take);
    if (queued >= 0) this.waiting.splice(queued, 1);
  }

  /** Moves waiting requests into free slots and returns the ones that were just granted. */
  grantFree(): SlotRequest[] {
    const granted: SlotRequest[] = [];
    while (this.holders.size < this.limit && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.holders.set(next.sequenceId, next.take);
      granted.push(next);
    }
    return granted;
  }

  get generating(): string[] {
    return [...this.holders.keys()];
  }

  get queued(): string[] {
    return this.waiting.map((w) => w.sequenceId);
  }
}
