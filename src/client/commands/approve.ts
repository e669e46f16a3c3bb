import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { usageError } from '../../domain/cli-error.js';
import { defaultActor } from '../identity.js';
import { reportOutcome } from '../report-outcome.js';
import { withClient } from '../connect.js';
import { decideOnSequence } from '../../review/decisions.js';

export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description(COMMAND_SUMMARIES['approve'])
    .argument('<project>', 'project id')
    .argument('<episode>', 'episode id, e.g. EP001')
    .argument('<sequence>', 'sequence id, e.g. SEQ01')
    .requiredOption('--take <n>', 'the take number to approve')
    .option('--note <text>', 'a note for the audit trail')
    .option('--by <name>', 'who approves', defaultActor())
    .action(async (projectId: string, episode: string, sequenceId: string, opts: { take: string; note?: string; by: string }) => {
      const take = Number(opts.take);
      if (!Number.isInteger(take) || take < 1) throw usageError(`--take must be a take number like 1 or 2, got "${opts.take}"`);
      const decision = { kind: 'approve', take, ...(opts.note ? { note: opts.note } : {}) } as const;
      const outcome = await withClient((client) => decideOnSequence(client, { projectId, episode, sequenceId }, decision, opts.by));
      reportOutcome(`approve take ${take} of ${sequenceId}`, outcome);
    });
}
