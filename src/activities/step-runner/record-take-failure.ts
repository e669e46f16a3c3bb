import { join } from 'node:path';
import { activityInfo } from '@temporalio/activity';
import type { ActivityDeps } from '../deps.js';
import { takeDir } from '../../store/takes/take-folders.js';
import { MANIFEST_FILE, readManifest, updateManifest } from '../../store/takes/take-manifest.js';
import type { TakeFailure } from '../../contract/activities.js';

/**
 * Marks a take failed in its take.json, with the reason and what it may have cost, so the folder
 * tells the same story as `recoil status`. The take and anything it produced are kept.
 */
export function recordTakeFailureActivity(deps: ActivityDeps) {
  return async function recordTakeFailure({ error, chargedUsd, ...ref }: TakeFailure): Promise<void> {
    const path = join(takeDir(deps.store.root, ref), MANIFEST_FILE);
    // A take that failed before its folder was claimed has no manifest to mark; a folder another
    // workflow run owns (the failure was the conflict) is never touched.
    const manifest = await readManifest(deps.store, path);
    const run = activityInfo().workflowExecution;
    if (!manifest || manifest.owner.workflowId !== run?.workflowId || manifest.owner.runId !== run.runId) return;
    await updateManifest(deps.store, path, (m) => ({
      ...m,
      status: 'failed',
      error,
      actualCostUsd: chargedUsd,
      times: { ...m.times, completedAt: m.times.completedAt ?? new Date().toISOString() },
    }));
  };
}
