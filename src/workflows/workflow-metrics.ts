import { metricMeter } from '@temporalio/workflow';

/*
 * Recoil's own measures from workflow code, on the SDK's meter: the SDK records them only when the
 * code runs for real, not while a history replays, so every take and decision counts once.
 */

export interface TakeTags {
  project: string;
  episode: string;
  model: string;
}

/** A take that came back (`finished`) or did not (`failed`), and what it cost: the sum is the spend. */
export function recordTakeEnded(outcome: 'finished' | 'failed', costUsd: number, tags: TakeTags): void {
  metricMeter.createCounter('recoil_takes', '1', 'Takes by how they ended').add(1, { ...tags, outcome });
  metricMeter.createHistogram('recoil_take_cost', 'float', 'usd', 'What each take cost in US dollars; the sum is the spend').record(costUsd, { ...tags, outcome });
}

/** How long a take waited in line for one of the provider account's slots. */
export function recordAccountSlotWait(provider: string, seconds: number): void {
  metricMeter.createHistogram('recoil_account_slot_wait', 'float', 'seconds', "Seconds a take waited for a slot of the provider account").record(seconds, { provider });
}

/** A person's decision, accepted or refused. */
export function countDecision(decision: string, outcome: 'accepted' | 'refused'): void {
  metricMeter.createCounter('recoil_decisions', '1', 'Decisions by kind and outcome').add(1, { decision, outcome });
}

/**
 * How long a sequence waited for a person, from the moment it could be decided on (a take to review,
 * frames to pick) to the decision that moved it on: the review queue's latency, by what was waited on.
 */
export function recordDecisionLatency(waitedIn: string, seconds: number): void {
  metricMeter.createHistogram('recoil_decision_latency', 'float', 'seconds', 'Seconds a sequence waited for a person to decide').record(seconds, { waited_in: waitedIn });
}

/** A submission cut off before the provider's request id came back: it may have been paid for. */
export function countAmbiguousSubmission(provider: string): void {
  metricMeter.createCounter('recoil_ambiguous_submissions', '1', 'Submissions cut off before the request id came back').add(1, { provider });
}
