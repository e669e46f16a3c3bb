import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { SequenceInput } from '../contract/sequence.js';

type Activities = ReturnType<typeof createActivities>;

export const DEFAULT_HEARTBEAT_TIMEOUT_SEC = 30;
export const DEFAULT_RETRY_CAP_SEC = 60;

/** The fault-handling timings a test may shorten; production runs on the defaults. */
export type FaultTimings = Pick<SequenceInput, 'heartbeatTimeoutSec' | 'retryCapSec'>;

/**
 * Every activity here is safe to repeat (each guards its own paid call), so a fault is retried
 * until it passes: a disk, fal or the Temporal server away for minutes only delays the sequence.
 * What a person must fix fails at once with a typed non-retryable error. The heartbeat timeout
 * decides how soon a crashed worker's call is resumed by another attempt.
 */
export function sequenceActivities(timings: FaultTimings = {}) {
  const heartbeatTimeoutSec = timings.heartbeatTimeoutSec ?? DEFAULT_HEARTBEAT_TIMEOUT_SEC;
  const heartbeatTimeout = `${heartbeatTimeoutSec} seconds`;
  const retry = retryUntilItPasses(timings);
  // Local work (files, critics) takes seconds; a crashed worker's attempt is retried after this.
  const bookkeeping = proxyActivities<Activities>({ startToCloseTimeout: bookkeepingTimeout(heartbeatTimeoutSec), retry });
  // Submitting is short; the activity itself guarantees one paid submission per take.
  const submitting = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', heartbeatTimeout, retry });
  // Awaiting a provider takes minutes; heartbeats let a retry resume the same request after a crash.
  const awaiting = proxyActivities<Activities>({ startToCloseTimeout: '45 minutes', heartbeatTimeout, retry });
  // fal's billing records are read over the network, page by page: slower than local bookkeeping.
  const readingRecords = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry });
  // A slot claim is one call to the server: run in the workflow task that needs it, it adds no task of its own.
  const inTask = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry });
  // One grid per call; the activity refuses to pay twice for the same grid number.
  const exploring = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry });
  return {
    prepareSequence: bookkeeping.prepareSequence,
    recordTakeDecision: bookkeeping.recordTakeDecision,
    recordTakeNote: bookkeeping.recordTakeNote,
    recordTakeFailure: bookkeeping.recordTakeFailure,
    chooseStartFrame: bookkeeping.chooseStartFrame,
    chainStartFrame: bookkeeping.chainStartFrame,
    criticiseTake: bookkeeping.criticiseTake,
    askAccountSlot: bookkeeping.askAccountSlot,
    claimAccountSlot: inTask.claimAccountSlot,
    adoptProviderJob: bookkeeping.adoptProviderJob,
    settleCutOffSubmission: readingRecords.settleCutOffSubmission,
    submitTake: submitting.submitTake,
    awaitProviderJob: awaiting.awaitProviderJob,
    collectTake: awaiting.collectTake,
    executeGridExploration: exploring.executeGridExploration,
  };
}

/** No attempt limit: backoff from 2 s, doubling, never more than the cap apart. */
export function retryUntilItPasses(timings: FaultTimings = {}) {
  const capSec = Math.max(1, timings.retryCapSec ?? DEFAULT_RETRY_CAP_SEC);
  return { initialInterval: `${Math.min(2, capSec)} seconds`, backoffCoefficient: 2, maximumInterval: `${capSec} seconds` };
}

/** How long local bookkeeping may take before a crashed attempt is retried elsewhere. */
export function bookkeepingTimeout(heartbeatTimeoutSec = DEFAULT_HEARTBEAT_TIMEOUT_SEC): string {
  return `${Math.max(20, heartbeatTimeoutSec * 4)} seconds`;
}

export type SequenceActivities = ReturnType<typeof sequenceActivities>;
