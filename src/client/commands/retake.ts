import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { ShotSchema } from '../../domain/schemas.js';
import { usageError } from '../../domain/cli-error.js';
import { defaultActor } from '../identity.js';
import { reportOutcome } from '../report-outcome.js';
import { withClient } from '../connect.js';
import { decideOnSequence } from '../../review/decisions.js';

export function registerRetake(program: Command): void {
  program
    .command('retake')
    .description(COMMAND_SUMMARIES['retake'])
    .argument('<project>', 'project id')
    .argument('<episode>', 'episode id, e.g. EP001')
    .argument('<sequence>', 'sequence id, e.g. SEQ01')
    .requiredOption('--note <text>', 'what should change (kept in the audit trail)')
    .option('--shot <n=prompt>', 'replace shot n\'s prompt (repeatable), e.g. --shot 2="Close-up, rain"', collectShot, {})
    .option('--by <name>', 'who asks', defaultActor())
    .action(async (projectId: string, episode: string, sequenceId: string, opts: { note: string; shot: Record<string, string>; by: string }) => {
      const decision = { kind: 'retake', note: opts.note, ...(Object.keys(opts.shot).length > 0 ? { shots: opts.shot } : {}) } as const;
      const outcome = await withClient((client) => decideOnSequence(client, { projectId, episode, sequenceId }, decision, opts.by));
      reportOutcome(`retake ${sequenceId}`, outcome);
    });
}

function collectShot(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^(\d+)=(.*)$/s.exec(value);
  if (!match) throw usageError(`--shot takes N="new prompt", got "${value}"`);
  const prompt = ShotSchema.shape.prompt.safeParse(match[2]);
  if (!prompt.success) throw usageError(`--shot ${match[1]}: ${prompt.error.issues[0]?.message ?? 'not a usable prompt'}; write the new prompt after the =`);
  // "02" and "2" are the same shot.
  return { ...previous, [String(Number(match[1]))]: prompt.data };
}
