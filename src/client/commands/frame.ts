import type { Command } from 'commander';
import { regenerateFramesSignal, selectFrameSignal, type SequenceStatus } from '../../workflows/sequence-messages.js';
import { usageError } from '../cli-error.js';
import { defaultActor } from '../identity.js';
import { reportOutcome } from '../report-outcome.js';
import { sendSequenceSignal } from '../send-sequence-signal.js';

export function registerFrame(program: Command): void {
  program
    .command('frame')
    .description('pick a start frame from a 2x2 grid (quadrants 1–4: left to right, top to bottom), or ask for new options')
    .argument('<project>', 'project id')
    .argument('<episode>', 'episode id, e.g. EP001')
    .argument('<sequence>', 'sequence id, e.g. SEQ02')
    .option('--quadrant <n>', 'the quadrant to use as the start frame, 1–4')
    .option('--grid <n>', 'which grid (default: the newest)')
    .option('--regenerate', 'make a new grid instead of picking')
    .option('--prompt <text>', 'with --regenerate: a new prompt for the grid')
    .option('--note <text>', 'with --regenerate: why')
    .option('--by <name>', 'who decides', defaultActor())
    .action(async (projectId: string, episode: string, sequenceId: string, opts: FrameOptions) => {
      const address = { projectId, episode, sequenceId };
      if (opts.regenerate) {
        const request = { by: opts.by, ...(opts.note ? { note: opts.note } : {}), ...(opts.prompt ? { prompt: opts.prompt } : {}) };
        return reportOutcome(`ask for new start frames for ${sequenceId}`, await sendSequenceSignal(address, regenerateFramesSignal, request));
      }
      const quadrant = Number(opts.quadrant);
      if (![1, 2, 3, 4].includes(quadrant)) throw usageError('--quadrant must be 1, 2, 3 or 4 (left to right, top to bottom), or use --regenerate');
      const grid = opts.grid === undefined ? undefined : Number(opts.grid);
      if (grid !== undefined && !(Number.isInteger(grid) && grid >= 1)) throw usageError(`--grid must be a grid number like 1 or 2, got "${opts.grid}"`);
      const outcome = await sendSequenceSignal(address, selectFrameSignal, (current) => ({ grid: grid ?? newestGrid(current), quadrant, by: opts.by }));
      reportOutcome(`use quadrant ${quadrant} as ${sequenceId}'s start frame`, outcome);
    });
}

function newestGrid(current: SequenceStatus | undefined): number {
  const newest = current?.grids.at(-1)?.grid;
  if (newest === undefined) throw usageError(current ? 'this sequence has no grid yet: wait for frame_review' : 'no worker answered, so the newest grid is unknown: pass --grid N');
  return newest;
}

interface FrameOptions {
  quadrant?: string;
  grid?: string;
  regenerate?: boolean;
  prompt?: string;
  note?: string;
  by: string;
}
