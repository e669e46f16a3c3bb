import { isCancellation, log } from '@temporalio/workflow';
import { failureMessage } from './failure-message.js';

/**
 * Runs a write to take.json whose failure must not end the sequence: the workflow's own record of
 * the decision stands (it is in history and `status`), and the take on disk is untouched.
 */
export async function recordBestEffort(what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn(`could not record ${what} in take.json; the workflow's record stands`, { error: failureMessage(err) });
  }
}
