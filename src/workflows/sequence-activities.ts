import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

/** Quick bookkeeping on the worker's disk. */
export const { prepareSequence, recordTakeDecision, chooseStartFrame, criticiseTake } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 10 },
});

/** Submitting is short; the activity itself guarantees one paid submission per take. */
export const { submitTake } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 6 },
});

/** Awaiting a provider takes minutes; heartbeats let a retry resume the same request after a worker crash. */
export const { awaitTake } = proxyActivities<Activities>({
  startToCloseTimeout: '45 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 8 },
});

/** One grid per call; the activity refuses to pay twice for the same grid number. */
export const { executeGridExploration } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
});
