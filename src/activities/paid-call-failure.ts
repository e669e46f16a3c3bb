import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import type { Billing, PaidCallFailureDetails } from '../contract/activities.js';
import { wasNotAccepted } from './providers/provider.js';

/**
 * The one place that decides whether a failed activity may have cost money. The verdict travels in
 * the failure's details, so the workflow reads it instead of guessing from error types.
 */

/** A provider call: when it fails, it may have cost money unless the provider certainly refused it. */
export async function paidCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw withVerdict(err, wasNotAccepted(err) ? 'not_charged' : 'may_have_charged');
  }
}

/**
 * Runs an activity whose paid calls go through `paidCall`: anything that fails outside one (a
 * missing file, a folder conflict) happened before money could be spent.
 */
export async function withBilling<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw billingOf(err) ? err : withVerdict(err, 'not_charged');
  }
}

/** The same failure (message, type, retryability), now saying whether it may have cost money. */
export function withVerdict(err: unknown, billing: Billing): unknown {
  if (err instanceof CancelledFailure) return err;
  const details: PaidCallFailureDetails = { billing };
  if (err instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: err.message,
      ...(err.type ? { type: err.type } : {}),
      nonRetryable: err.nonRetryable ?? false,
      details: [details, ...(err.details ?? [])],
      ...(err.cause ? { cause: err.cause } : {}),
    });
  }
  const error = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({ message: error.message, type: error.name, details: [details], cause: error });
}

function billingOf(err: unknown): Billing | undefined {
  const details = err instanceof ApplicationFailure ? (err.details?.[0] as Partial<PaidCallFailureDetails> | undefined) : undefined;
  return details?.billing;
}
