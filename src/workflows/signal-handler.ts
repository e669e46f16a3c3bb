import { isCancellation, log, setHandler, type SignalDefinition } from '@temporalio/workflow';
import { failureMessage } from './failure-message.js';

/**
 * Sets a signal's handler so that input it cannot read is refused, not thrown: a signal cannot be
 * answered, and an error thrown from its handler would fail the workflow task again and again,
 * stopping the whole workflow over one bad message. Decisions record their refusals themselves.
 */
export function onSignal<Args extends unknown[]>(signal: SignalDefinition<Args>, handler: (...args: Args) => void | Promise<void>): void {
  setHandler(signal, async (...args: Args) => {
    try {
      await handler(...args);
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn(`refused a ${signal.name} signal it could not read`, { input: JSON.stringify(args), error: failureMessage(err) });
    }
  });
}
