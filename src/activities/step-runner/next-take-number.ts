import type { ActivityDeps } from '../deps.js';
import { firstFreeTakeNumber, type SequenceRef } from '../takes/take-folders.js';

/** Where a sequence workflow starts numbering takes: after every take already on disk. */
export function nextTakeNumberActivity(deps: ActivityDeps) {
  return async function nextTakeNumber(ref: SequenceRef): Promise<number> {
    return firstFreeTakeNumber(deps.artifactsRoot, ref);
  };
}
