import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

export const DEFAULT_HEARTBEAT_TIMEOUT_SEC = 30;

/**
 * The StepRunner operations as the sequence workflow calls them. The heartbeat timeout decides how
 * soon a crashed worker's paid call is resumed by another attempt (tests shorten it).
 */
export function sequenceActivities(heartbeatTimeoutSec = DEFAULT_HEARTBEAT_TIMEOUT_SEC) {
  const heartbeatTimeout = `${heartbeatTimeoutSec} seconds`;
  // Local work (files, critics) takes seconds; a crashed worker's attempt is retried after this.
  const bookkeeping = proxyActivities<Activities>({
    startToCloseTimeout: bookkeepingTimeout(heartbeatTimeoutSec),
    retry: { maximumAttempts: 10 },
  });
  // Submitting is short; the activity itself guarantees one paid submission per take.
  const submitting = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout,
    retry: { initialInterval: '2 seconds', maximumAttempts: 6 },
  });
  // Awaiting a provider takes minutes; heartbeats let a retry resume the same request after a crash.
  const awaiting = proxyActivities<Activities>({
    startToCloseTimeout: '45 minutes',
    heartbeatTimeout,
    retry: { initialInterval: '2 seconds', maximumAttempts: 8 },
  });
  // One grid per call; the activity refuses to pay twice for the same grid number.
  const exploring = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
  });
  return {
    prepareSequence: bookkeeping.prepareSequence,
    recordTakeDecision: bookkeeping.recordTakeDecision,
    recordTakeFailure: bookkeeping.recordTakeFailure,
    chooseStartFrame: bookkeeping.chooseStartFrame,
    criticiseTake: bookkeeping.criticiseTake,
    askAccountSlot: bookkeeping.askAccountSlot,
    adoptProviderJob: bookkeeping.adoptProviderJob,
    settleCutOffSubmission: bookkeeping.settleCutOffSubmission,
    submitTake: submitting.submitTake,
    awaitProviderJob: awaiting.awaitProviderJob,
    collectTake: awaiting.collectTake,
    executeGridExploration: exploring.executeGridExploration,
  };
}

/** How long local bookkeeping may take before a crashed attempt is retried elsewhere. */
export function bookkeepingTimeout(heartbeatTimeoutSec = DEFAULT_HEARTBEAT_TIMEOUT_SEC): string {
  return `${Math.max(20, heartbeatTimeoutSec * 4)} seconds`;
}

export type SequenceActivities = ReturnType<typeof sequenceActivities>;
