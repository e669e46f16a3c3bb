/** The workflow bundle's entry point: every workflow type the worker registers, with how it meets new builds. */
import { setWorkflowOptions } from '@temporalio/workflow';
import { VERSIONING_BEHAVIOR } from '../contract/deployment.js';
import { accountGateWorkflow } from './account-gate.js';
import { episodeWorkflow } from './episode-workflow.js';
import { reconcileBillingWorkflow } from './reconcile-billing.js';
import { sequenceWorkflow } from './sequence-workflow.js';

setWorkflowOptions({ versioningBehavior: VERSIONING_BEHAVIOR.sequenceWorkflow }, sequenceWorkflow);
setWorkflowOptions({ versioningBehavior: VERSIONING_BEHAVIOR.episodeWorkflow }, episodeWorkflow);
setWorkflowOptions({ versioningBehavior: VERSIONING_BEHAVIOR.accountGateWorkflow }, accountGateWorkflow);
setWorkflowOptions({ versioningBehavior: VERSIONING_BEHAVIOR.reconcileBillingWorkflow }, reconcileBillingWorkflow);

export { accountGateWorkflow, episodeWorkflow, reconcileBillingWorkflow, sequenceWorkflow };
