import { CancelledFailure } from '@temporalio/activity';

/**
 * Temporal also aborts an activity when its worker shuts down, it times out, or it is paused or
 * reset; the next attempt then resumes the same paid request by its id, so fal must keep it.
 * Only a real cancellation (or a workflow that no longer exists) means nobody wants the video.
 * An abort from anything other than Temporal is taken at its word.
 */
const NOBODY_WANTS_IT = new Set(['CANCELLED', 'NOT_FOUND']);

export function shouldCancelProviderJob(abortReason: unknown): boolean {
  return !(abortReason instanceof CancelledFailure) || NOBODY_WANTS_IT.has(abortReason.message);
}
