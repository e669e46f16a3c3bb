import type { ActivityDeps } from './deps.js';
import { awaitTakeActivity } from './step-runner/await-take.js';
import { deliverEpisodeActivity } from './step-runner/deliver-episode.js';
import { nextTakeNumberActivity } from './step-runner/next-take-number.js';
import { recordTakeDecisionActivity } from './step-runner/record-decision.js';
import { submitTakeActivity } from './step-runner/submit-take.js';

/** The StepRunner: every I/O operation the workflows call, with their dependencies injected. */
export function createActivities(deps: ActivityDeps) {
  return {
    nextTakeNumber: nextTakeNumberActivity(deps),
    submitTake: submitTakeActivity(deps),
    awaitTake: awaitTakeActivity(deps),
    recordTakeDecision: recordTakeDecisionActivity(deps),
    deliverEpisode: deliverEpisodeActivity(deps),
  };
}

export type { ActivityDeps } from './deps.js';
