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

/**
 * take.json is read, changed and written whole, so two writes at once would lose one: a note
 * accepted while an approval is being recorded. A sequence's writes to its takes queue here.
 */
export class TakeJsonWrites {
  private last: Promise<void> = Promise.resolve();

  record(what: string, write: () => Promise<void>): Promise<void> {
    const next = this.last.then(() => recordBestEffort(what, write));
    this.last = next.catch(() => undefined);
    return next;
  }
}
