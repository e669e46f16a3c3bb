/** The workflow bundle's entry point: every workflow type the worker registers. */
export { sequenceWorkflow } from './sequence-workflow.js';
export { episodeWorkflow } from './episode-workflow.js';
export { accountGateWorkflow } from './account-gate.js';
export { reconcileBillingWorkflow } from './reconcile-billing.js';
