import pc from 'picocolors';
import { usageError } from '../domain/cli-error.js';
import type { DecisionOutcome } from '../review/decisions.js';

/** Prints what became of a decision; a refusal exits 2 with the workflow's reason. */
export function reportOutcome(what: string, outcome: DecisionOutcome): void {
  switch (outcome.kind) {
    case 'refused':
      throw usageError(`refused: ${outcome.reason} (${what}, request ${outcome.requestId})`);
    case 'recorded':
      return void console.log(`${pc.yellow('…')} ${what}: recorded as request ${outcome.requestId}; ${outcome.message}`);
    case 'accepted':
      return void console.log(`${pc.green('✓')} accepted: ${outcome.detail} (${what}, request ${outcome.requestId})`);
  }
}
