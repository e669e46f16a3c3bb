import { ApplicationFailure } from '@temporalio/workflow';
import type { PaidCallFailureDetails } from '../contract/activities.js';

/** The innermost cause of an activity failure, in the words the activity used. */
export function failureMessage(err: unknown): string {
  const cause = innermost(err);
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Whether a failed paid call may have cost money, as the activity that made it said. A failure that
 * carries no verdict (a timeout: the activity never got to answer) may have cost money too.
 */
export function mayHaveCostMoney(err: unknown): boolean {
  const cause = innermost(err);
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as Partial<PaidCallFailureDetails> | undefined) : undefined;
  return details?.billing !== 'not_charged';
}

function innermost(err: unknown): unknown {
  let cause = err;
  while (cause instanceof Error && cause.cause) cause = cause.cause;
  return cause;
}
