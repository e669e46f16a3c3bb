import pc from 'picocolors';
import { usageError } from './cli-error.js';
import type { SignalOutcome } from './send-sequence-signal.js';

/** Prints what became of a signal; a refusal exits 2 with the workflow's reason. */
export function reportOutcome(what: string, outcome: SignalOutcome): void {
  if (outcome.kind === 'refused') throw usageError(`refused to ${what}: ${outcome.reason}`);
  if (outcome.kind === 'queued') return void console.log(`${pc.yellow('…')} ${what}: ${outcome.message}`);
  console.log(`${pc.green('✓')} ${what}: the sequence is now ${outcome.status.state}`);
}
