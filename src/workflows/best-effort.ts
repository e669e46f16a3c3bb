import { isCancellation, log, patched } from '@temporalio/workflow';
import { failureMessage } from './failure-message.js';

/**
 * Whether the workflow deals with a failed step itself (carries on, or records it and tells its
 * episode) instead of just ending. Histories recorded before it did ended there, and must replay so.
 */
export function handlesFailure(err: unknown): boolean {
  return !isCancellation(err) && patched('survive-bookkeeping-failures');
}

/**
 * Runs a write to take.json whose failure must not end the sequence: the workflow's own record of
 * the decision stands (it is in history and `status`), and the take on disk is untouched.
 */
export async function recordBestEffort(what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!handlesFailure(err)) throw err;
    log.warn(`could not record ${what} in take.json; the workflow's record stands`, { error: failureMessage(err) });
  }
}
