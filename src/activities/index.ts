import { reconcileBillingActivity } from './billing/reconcile-billing.js';
import type { ActivityDeps } from './deps.js';
import { askAccountSlotActivity, claimAccountSlotActivity, findClosedWorkflowsActivity } from './step-runner/account-slot.js';
import { awaitProviderJobActivity, collectTakeActivity } from './step-runner/await-provider-job.js';
import { chainStartFrameActivity } from './step-runner/chain-start-frame.js';
import { chooseStartFrameActivity } from './step-runner/choose-start-frame.js';
import { criticiseTakeActivity } from './step-runner/criticise-take.js';
import { deliverEpisodeActivity } from './step-runner/deliver-episode.js';
import { executeGridExplorationActivity } from './step-runner/execute-grid-exploration.js';
import { prepareSequenceActivity } from './step-runner/prepare-sequence.js';
import { readSequenceSpendActivity } from './step-runner/read-sequence-spend.js';
import { recordTakeDecisionActivity, recordTakeNoteActivity } from './step-runner/record-decision.js';
import { recordTakeFailureActivity } from './step-runner/record-take-failure.js';
import { adoptProviderJobActivity, settleCutOffSubmissionActivity } from './step-runner/settle-submission.js';
import { submitTakeActivity } from './step-runner/submit-take.js';

/** The StepRunner: every I/O operation the workflows call, with their dependencies injected. */
export function createActivities(deps: ActivityDeps) {
  return {
    prepareSequence: prepareSequenceActivity(deps),
    submitTake: submitTakeActivity(deps),
    settleCutOffSubmission: settleCutOffSubmissionActivity(deps),
    adoptProviderJob: adoptProviderJobActivity(deps),
    awaitProviderJob: awaitProviderJobActivity(deps),
    collectTake: collectTakeActivity(deps),
    criticiseTake: criticiseTakeActivity(deps),
    recordTakeDecision: recordTakeDecisionActivity(deps),
    recordTakeNote: recordTakeNoteActivity(deps),
    recordTakeFailure: recordTakeFailureActivity(deps),
    executeGridExploration: executeGridExplorationActivity(deps),
    chooseStartFrame: chooseStartFrameActivity(deps),
    chainStartFrame: chainStartFrameActivity(deps),
    deliverEpisode: deliverEpisodeActivity(deps),
    readSequenceSpend: readSequenceSpendActivity(deps),
    askAccountSlot: askAccountSlotActivity(deps),
    claimAccountSlot: claimAccountSlotActivity(deps),
    findClosedWorkflows: findClosedWorkflowsActivity(),
    reconcileBilling: reconcileBillingActivity(deps),
  };
}

export type { ActivityDeps } from './deps.js';
