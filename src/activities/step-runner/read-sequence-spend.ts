import { log } from '@temporalio/activity';
import type { ActivityDeps } from '../deps.js';
import { storedSpend } from '../../store/spent.js';
import type { SequenceRef } from '../../contract/activities.js';

/** What a sequence finished in an earlier episode run spent, so the episode's budget still counts it. */
export function readSequenceSpendActivity(deps: ActivityDeps) {
  return async function readSequenceSpend(ref: SequenceRef): Promise<number> {
    return (await storedSpend(deps.store, ref, (message, detail) => log.warn(message, detail))).totalUsd;
  };
}
