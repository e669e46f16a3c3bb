import { roundUsd } from './price-table.js';

/** A take as the spend split sees it (the sequence's take summary). */
export interface TakeSpend {
  take: number;
  state: 'generating' | 'complete' | 'rejected_by_critics' | 'failed';
  costUsd?: number;
  billedUsd?: number;
}

/**
 * Where an episode's money went: on approved takes, on takes thrown away (rejected by the critics,
 * or retaken by a person: a later take exists), on failed calls that were charged, and on takes
 * still generating or waiting for review.
 */
export interface SpendByOutcome {
  approvedUsd: number;
  discardedUsd: number;
  failedUsd: number;
  openUsd: number;
}

export function spendByOutcome(sequences: readonly { takes: readonly TakeSpend[]; approvedTake?: number }[]): SpendByOutcome {
  const sums = { approvedUsd: 0, discardedUsd: 0, failedUsd: 0, openUsd: 0 };
  for (const { takes, approvedTake } of sequences) {
    const newest = Math.max(0, ...takes.map((t) => t.take));
    for (const take of takes) sums[outcomeOf(take, approvedTake, newest)] += take.billedUsd ?? take.costUsd ?? 0;
  }
  return { approvedUsd: roundUsd(sums.approvedUsd), discardedUsd: roundUsd(sums.discardedUsd), failedUsd: roundUsd(sums.failedUsd), openUsd: roundUsd(sums.openUsd) };
}

function outcomeOf(take: TakeSpend, approvedTake: number | undefined, newest: number): keyof SpendByOutcome {
  if (take.take === approvedTake) return 'approvedUsd';
  if (take.state === 'failed') return 'failedUsd';
  if (take.state === 'rejected_by_critics' || (take.state === 'complete' && take.take < newest)) return 'discardedUsd';
  return 'openUsd';
}
