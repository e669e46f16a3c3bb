import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { usageError } from '../../domain/cli-error.js';
import { defaultActor } from '../identity.js';
import { reportOutcome } from '../report-outcome.js';
import { withClient } from '../connect.js';
import { decideOnSequence, type SequenceDecision } from '../../review/decisions.js';

export function registerFrame(program: Command): void {
  program
    .command('frame')
    .description(COMMAND_SUMMARIES['frame'])
    .argument('<project>', 'project id')
    .argument('<episode>', 'episode id, e.g. EP001')
    .argument('<sequence>', 'sequence id, e.g. SEQ02')
    .option('--quadrant <n>', 'the quadrant to use as the start frame, 1–4')
    .option('--grid <n>', 'which grid (default: the newest)')
    .option('--from-previous', "start from the previous sequence's approved last frame, so the two cut together")
    .option('--regenerate', 'make a new grid instead of picking')
    .option('--prompt <text>', 'with --regenerate: a new prompt for the grid')
    .option('--note <text>', 'with --regenerate: why')
    .option('--by <name>', 'who decides', defaultActor())
    .action(async (projectId: string, episode: string, sequenceId: string, opts: FrameOptions) => {
      const decide = (decision: SequenceDecision) => withClient((client) => decideOnSequence(client, { projectId, episode, sequenceId }, decision, opts.by));
      if (opts.regenerate) {
        const decision = { kind: 'regenerateFrames', ...(opts.note ? { note: opts.note } : {}), ...(opts.prompt ? { prompt: opts.prompt } : {}) } as const;
        return reportOutcome(`ask for new start frames for ${sequenceId}`, await decide(decision));
      }
      if (opts.fromPrevious) {
        if (opts.quadrant !== undefined || opts.grid !== undefined) throw usageError('--from-previous picks the previous sequence\'s last frame: leave out --quadrant and --grid');
        return reportOutcome(`start ${sequenceId} from the previous sequence's approved last frame`, await decide({ kind: 'selectFrame', previous: true }));
      }
      const quadrant = Number(opts.quadrant);
      if (![1, 2, 3, 4].includes(quadrant)) throw usageError('--quadrant must be 1, 2, 3 or 4 (left to right, top to bottom); or use --from-previous or --regenerate');
      const grid = opts.grid === undefined ? undefined : Number(opts.grid);
      if (grid !== undefined && !(Number.isInteger(grid) && grid >= 1)) throw usageError(`--grid must be a grid number like 1 or 2, got "${opts.grid}"`);
      const outcome = await decide({ kind: 'selectFrame', quadrant, ...(grid !== undefined ? { grid } : {}) });
      reportOutcome(`use quadrant ${quadrant} as ${sequenceId}'s start frame`, outcome);
    });
}

interface FrameOptions {
  quadrant?: string;
  grid?: string;
  fromPrevious?: boolean;
  regenerate?: boolean;
  prompt?: string;
  note?: string;
  by: string;
}
