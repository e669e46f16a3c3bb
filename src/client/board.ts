import { gridFolderName, takeFolderName } from '../domain/ids.js';
import pc from 'picocolors';
import type { BoardRow } from '../review/read-board.js';
import { newTable } from './table.js';

const stateColour: Record<string, (s: string) => string> = {
  approved: pc.green,
  video_complete: pc.cyan,
  frame_review: pc.cyan,
  video_generating: pc.yellow,
  frame_generating: pc.yellow,
  failed: pc.red,
};

/** The board: one line per sequence, what it is doing and what it waits for. */
export function renderBoard(rows: BoardRow[]): string {
  if (rows.length === 0) return 'No sequences yet: start an episode with `npx recoil run <project-dir> --episode EP001`.';
  const table = newTable(['Sequence', 'State', 'Takes', 'Approved', 'Spent', 'Next take ≈', 'Waiting for / last event'], { lastColumnWidth: 48 });
  for (const row of rows) table.push(boardLine(row));
  return table.toString();
}

function boardLine(row: BoardRow): string[] {
  const c = row.card;
  const colour = stateColour[row.state] ?? ((x: string) => x);
  const takes = c ? `${c.takesUsed}/${c.maxTakes}` : '–';
  const approved = c?.approvedTake !== undefined ? takeFolderName(c.approvedTake) : '';
  const estimate = c ? `$${c.estimatedTakeCostUsd.toFixed(2)}` : '–';
  return [`${row.episode}/${row.sequenceId}`, colour(row.state), takes, approved, `$${row.spentUsd.toFixed(2)}`, estimate, lastWords(row)];
}

function lastWords(row: BoardRow): string {
  const c = row.card;
  if (!c) return row.running ? pc.dim('details need a running worker') : '';
  const parts = [
    c.waitingFor ? `waiting for ${c.waitingFor}` : '',
    c.failure ? pc.red(c.failure) : '',
    c.flagged ? pc.yellow(`critics on ${takeFolderName(c.flagged.take)}: ${c.flagged.findings.join('; ')}`) : '',
    c.startFrame ? `start frame: ${c.startFrame.grid ? `${gridFolderName(c.startFrame.grid)} q${c.startFrame.quadrant} by ${c.startFrame.by}` : `from ${c.startFrame.by}`}` : '',
  ];
  return parts.filter(Boolean).join('\n') || (c.lastEvent ?? '');
}

/** Every decision each sequence took or refused, by request id, so a recorded one can be followed up. */
export function renderDecisions(rows: BoardRow[]): string {
  return rows
    .flatMap((row) =>
      (row.status?.decisions ?? []).map((d) => {
        const outcome = d.outcome === 'accepted' ? pc.green('accepted') : pc.red('refused');
        return `  ${row.sequenceId} ${d.requestId} ${d.decision} by ${d.by} ${outcome}: ${d.detail}`;
      }),
    )
    .join('\n');
}

/** Where each sequence's grids and takes are on disk. */
export function renderTakeLocations(rows: BoardRow[]): string {
  return rows
    .flatMap((row) => {
      const s = row.status;
      if (!s) return [];
      const grids = s.grids.map((g) => {
        const chosen = s.startFrame?.grid === g.grid ? pc.green(`  ← q${s.startFrame.quadrant} chosen`) : '';
        return `  ${row.sequenceId} ${gridFolderName(g.grid)} ${'grid'.padEnd(19)} ${g.gridPath}${chosen}`;
      });
      const takes = s.takes.map((t) => {
        const critics = t.critics ? (t.critics.ok ? 'critics ok' : pc.yellow('critics flagged')) : '';
        const approved = s.approvedTake === t.take ? pc.green('  ← approved') : '';
        return `  ${row.sequenceId} ${takeFolderName(t.take)} ${t.state.padEnd(19)} ${t.videoPath ?? t.folder ?? ''} ${critics}${approved}`;
      });
      return [...grids, ...takes];
    })
    .join('\n');
}

/**
 * Takes whose submission was cut off and wait for a person: what happened, and the command for each
 * choice, ready to paste (`project` as the person typed it: a folder or an id).
 */
export function renderSubmissionQuestions(rows: BoardRow[], project: string): string {
  return rows
    .flatMap((row) => {
      const question = row.status?.submissionQuestion ?? row.card?.submissionQuestion;
      if (!question) return [];
      const base = `npx recoil settle ${shellWord(project)} ${shellWord(row.episode)} ${shellWord(row.sequenceId)} --take ${question.take}`;
      return [
        `  ${pc.yellow('?')} ${row.episode}/${row.sequenceId} take ${question.take} (${takeFolderName(question.take)}): its submission to fal was cut off before fal's request id came back, and fal's records do not settle it: ${question.reason}`,
        ...[
          ['adopt fal\'s job (request id from fal\'s dashboard):', `${base} --adopt <request-id>`],
          ['submit it again (fal may bill it twice):', `${base} --resubmit`],
          ['give it up (counts at its estimate):', `${base} --give-up`],
        ].map(([what, command]) => `    ${what!.padEnd(52)} ${command}`),
      ];
    })
    .join('\n');
}

function shellWord(word: string): string {
  return /^[\w./@:+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
