import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { noteInputSchema } from '../../domain/note-schema.js';
import { NOTE_COLOURS } from '../../domain/take-notes.js';
import { placeNote, readTakeManifest } from '../../console/take-details.js';
import { storeFromEnv } from '../../store/store-from-env.js';
import { usageError } from '../../domain/cli-error.js';
import { withClient } from '../connect.js';
import { decideOnSequence } from '../../review/decisions.js';
import { defaultActor } from '../identity.js';
import { reportOutcome } from '../report-outcome.js';

interface NoteFlags {
  take: string;
  frame: string;
  to?: string;
  text: string;
  colour: string;
  by: string;
}

export function registerNote(program: Command): void {
  program
    .command('note')
    .description(COMMAND_SUMMARIES['note'])
    .argument('<project>', 'project id')
    .argument('<episode>', 'episode id, e.g. EP001')
    .argument('<sequence>', 'sequence id, e.g. SEQ01')
    .requiredOption('--take <n>', 'the take')
    .requiredOption('--frame <n>', 'the frame, counted from 0 at the take\'s first frame')
    .option('--to <n>', 'the last frame of a range (inclusive)')
    .requiredOption('--text <text>', 'the note')
    .option('--colour <name>', `one of ${NOTE_COLOURS.join(', ')}`, 'RED')
    .option('--by <name>', 'who writes it', defaultActor())
    .action(async (projectId: string, episode: string, sequenceId: string, flags: NoteFlags) => {
      const parsed = noteInputSchema.safeParse({ take: flags.take, frame: flags.frame, ...(flags.to ? { endFrame: flags.to } : {}), text: flags.text, colour: flags.colour.toUpperCase() });
      if (!parsed.success) throw usageError(parsed.error.issues.map((i) => `--${flagOf(i.path[0])}: ${i.message}`).join('; '));
      const ref = { projectId, episode, sequenceId };
      // Where the takes are on this machine, the note is checked against its take and names its shot.
      const manifest = await readTakeManifest(storeFromEnv(), ref, parsed.data.take);
      const placed = manifest ? placeNote(manifest, parsed.data) : { note: parsed.data };
      if ('refused' in placed) throw usageError(placed.refused);
      const outcome = await withClient((client) => decideOnSequence(client, ref, { ...placed.note, kind: 'note' }, flags.by));
      reportOutcome(`note on take ${parsed.data.take} of ${sequenceId}`, outcome);
    });
}

function flagOf(field: PropertyKey | undefined): string {
  return field === 'endFrame' ? 'to' : String(field ?? 'note');
}
