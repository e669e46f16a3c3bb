import { join } from 'node:path';
import type { ActivityDeps } from '../deps.js';
import { takeDir } from '../takes/take-folders.js';
import { MANIFEST_FILE, updateManifest } from '../takes/take-manifest.js';
import type { TakeDecisionRecord } from '../../contract/activities.js';

/** Writes a person's decision on a take into its manifest; idempotent under retries. */
export function recordTakeDecisionActivity(deps: ActivityDeps) {
  return async function recordTakeDecision(input: TakeDecisionRecord): Promise<void> {
    const { decision, by, note } = input;
    await updateManifest(join(takeDir(deps.artifactsRoot, input), MANIFEST_FILE), (m) => {
      const already = m.decisions.some((d) => d.decision === decision && d.by === by && d.note === note);
      if (already) return m;
      return { ...m, decisions: [...m.decisions, { decision, by, ...(note ? { note } : {}), at: new Date().toISOString() }] };
    });
  };
}
