import type { ActivityDeps } from '../deps.js';
import { spentOnDisk } from '../spent-on-disk.js';
import type { SequenceRef } from '../../contract/activities.js';

/** What a sequence finished in an earlier episode run spent, so the episode's budget still counts it. */
export function readSequenceSpendActivity(deps: ActivityDeps) {
  return function readSequenceSpend(ref: SequenceRef): Promise<number> {
    return spentOnDisk(deps.artifactsRoot, ref);
  };
}
