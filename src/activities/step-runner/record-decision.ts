import { join } from 'node:path';
import type { ActivityDeps } from '../deps.js';
import { takeDir } from '../../store/takes/take-folders.js';
import { MANIFEST_FILE, updateManifest } from '../../store/takes/take-manifest.js';
import type { TakeDecisionRecord, TakeNoteRecord } from '../../contract/activities.js';

/** Writes a person's decision on a take into its manifest; idempotent under retries. */
export function recordTakeDecisionActivity(deps: ActivityDeps) {
  return async function recordTakeDecision(input: TakeDecisionRecord): Promise<void> {
    const { decision, by, note } = input;
    await updateManifest(deps.store, join(takeDir(deps.store.root, input), MANIFEST_FILE), (m) => {
      const already = m.decisions.some((d) => d.decision === decision && d.by === by && d.note === note);
      if (already) return m;
      return { ...m, decisions: [...m.decisions, { decision, by, ...(note ? { note } : {}), at: new Date().toISOString() }] };
    });
  };
}

/** Keeps a reviewer's note on its take; the note's id makes a retried write land once. */
export function recordTakeNoteActivity(deps: ActivityDeps) {
  return async function recordTakeNote(input: TakeNoteRecord): Promise<void> {
    await updateManifest(deps.store, join(takeDir(deps.store.root, input), MANIFEST_FILE), (m) =>
      (m.notes ?? []).some((n) => n.id === input.note.id) ? m : { ...m, notes: [...(m.notes ?? []), input.note] },
    );
  };
}
