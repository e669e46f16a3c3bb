import type { VersioningBehavior } from '@temporalio/common';

/** The Worker Deployment every Recoil worker is a version of, unless RECOIL_DEPLOYMENT names another. */
export const RECOIL_DEPLOYMENT = 'recoil';

/**
 * How each workflow type meets new code. Sequences and episodes wait days on people, and a build that
 * replays them differently would fail them on their next decision: they finish on the build that
 * started them. The account gate continues as new and the reconciliation is short, so they move to
 * whichever build is current.
 */
export const VERSIONING_BEHAVIOR = {
  sequenceWorkflow: 'PINNED',
  episodeWorkflow: 'PINNED',
  accountGateWorkflow: 'AUTO_UPGRADE',
  reconcileBillingWorkflow: 'AUTO_UPGRADE',
} as const satisfies Record<string, VersioningBehavior>;

export type RecoilWorkflowType = keyof typeof VERSIONING_BEHAVIOR;
