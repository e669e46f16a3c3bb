import { ApplicationFailure } from '@temporalio/workflow';

/** The innermost cause of an activity failure, in the words the activity used. */
export function failureMessage(err: unknown): string {
  return innermost(err) instanceof Error ? (innermost(err) as Error).message : String(innermost(err));
}

/** The ApplicationFailure type set by an activity (ContentPolicy, InvalidInput, Auth…), if any. */
export function failureType(err: unknown): string | undefined {
  const cause = innermost(err);
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/**
 * Grid failures after which the provider may still have charged: a refusal of generated content,
 * or a call whose outcome is unknown.
 */
export function mayHaveBeenCharged(err: unknown): boolean {
  const type = failureType(err);
  return type === 'ContentPolicy' || type === 'InvalidInput' || type === 'UnknownSubmission';
}

function innermost(err: unknown): unknown {
  let cause = err;
  while (cause instanceof Error && cause.cause) cause = cause.cause;
  return cause;
}
