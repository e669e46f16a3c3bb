/**
 * Settling a submission that was cut off before its request id came back (a dropped connection, an
 * answer that never came, a worker killed mid-call). fal has no idempotency key, so submitting again
 * could pay twice; its billing records are the only witness. These rules read those records and what
 * Recoil knows of the account's jobs, and say one of: adopt this billed request, fal never ran it
 * (submit again), keep waiting, or a person must decide. Pure: every input is passed in.
 */

/** A take whose submission was cut off, as the rules see it. */
export interface CutOffTake {
  /** Names the take in messages: "driver-beware EP001 SEQ01 take 2". */
  label: string;
  endpoint: string;
  /** The seconds of video asked for: what fal bills a video job by. */
  seconds: number;
  /** When its submission began (epoch ms): no record billed before it can be its job. */
  submittingAt: number;
  /** When the submission was known to be cut off (epoch ms). */
  cutOffAt: number;
}

/** A job fal accepted for a take that recorded its request id. */
export interface KnownJob {
  requestId: string;
  submittedAt: number;
  /** When the take finished (complete or failed); absent while fal may still run it. */
  finishedAt?: number;
}

/** One record of fal's billing events. */
export interface BilledJob {
  requestId: string;
  endpoint: string;
  billedAt: number;
  /** For video: seconds. */
  outputUnits: number;
  costUsd: number;
}

export interface SettlementRules {
  /** The model's longest documented run: a job that started has been billed or dropped by then. */
  longestRunMs: number;
  /** How late billing records may appear after a job finishes. */
  recordsLagMs: number;
}

export type SubmissionVerdict =
  | { kind: 'adopt'; requestId: string; costUsd: number }
  | { kind: 'never_ran'; why: string }
  | { kind: 'wait'; why: string }
  | { kind: 'undecided'; why: string };

/** Our clock and fal's may disagree: a record this much older than the submission may still be its job. */
export const CLOCK_SKEW_MS = 60_000;

/** After this long without a verdict the rules stop waiting and ask a person. */
export function giveUpAfterMs(rules: SettlementRules): number {
  return 3 * (rules.longestRunMs + rules.recordsLagMs);
}

export interface SettlementFacts {
  take: CutOffTake;
  /** The account's other cut-off takes, still unsettled: they may claim the same record. */
  otherCutOff: CutOffTake[];
  known: KnownJob[];
  billed: BilledJob[];
  now: number;
}

/** What fal's records and the takes on disk say about one cut-off submission. */
export function judgeCutOffSubmission(facts: SettlementFacts, rules: SettlementRules): SubmissionVerdict {
  const { take, otherCutOff, now } = facts;
  const claimed = new Set(facts.known.map((j) => j.requestId));
  const unclaimed = facts.billed.filter((b) => !claimed.has(b.requestId));
  const mine = unclaimed.filter((b) => couldBeJobOf(take, b));
  const pastDeadline = now >= take.cutOffAt + giveUpAfterMs(rules);

  if (mine.length === 1) {
    const record = mine[0]!;
    const rivals = otherCutOff.filter((other) => couldBeJobOf(other, record));
    if (rivals.length === 0) return { kind: 'adopt', requestId: record.requestId, costUsd: record.costUsd };
    const why = `fal billed request ${record.requestId} (${record.outputUnits} s), which could be the job of ${take.label} or of ${rivals.map((r) => r.label).join(', ')}: they cannot be told apart`;
    return pastDeadline ? { kind: 'undecided', why } : { kind: 'wait', why: `${why}; waiting for one of them to settle` };
  }
  if (mine.length > 1) {
    const ids = mine.map((b) => b.requestId).join(', ');
    const why = `fal billed ${mine.length} requests that could each be the job of ${take.label} (${ids}): which one is cannot be told`;
    return pastDeadline ? { kind: 'undecided', why } : { kind: 'wait', why: `${why}; waiting for other takes to claim theirs` };
  }
  const notBefore = neverRanConclusionAt(facts, rules);
  if (notBefore !== undefined && now >= notBefore) {
    return { kind: 'never_ran', why: `fal's records hold no job of ${take.label}, and every job sent before it finished long enough ago that it would have been billed` };
  }
  const why = `no billed job of ${take.label} in fal's records yet`;
  // A known moment to conclude at is worth waiting for; an earlier job that never finishes is not.
  if (pastDeadline && notBefore === undefined) return { kind: 'undecided', why: `${why}, and jobs sent before it have not all finished` };
  const when = notBefore === undefined ? 'once every job sent before it has finished' : `from ${new Date(notBefore).toISOString()}`;
  return { kind: 'wait', why: `${why}: fal may still be running it; "never ran" can be concluded ${when}` };
}

function couldBeJobOf(take: CutOffTake, record: BilledJob): boolean {
  return record.endpoint === take.endpoint && record.outputUnits === take.seconds && record.billedAt >= take.submittingAt - CLOCK_SKEW_MS;
}

/**
 * fal runs an account's queue in order. Once every job sent before the cut-off take has finished,
 * the take (had fal accepted it) was running by then at the latest; its longest run and the
 * records' lag later, it would be billed. Undefined while an earlier job is still unfinished.
 * Jobs sent after the take began submitting queue behind it, however long the cut-off took to notice.
 */
function neverRanConclusionAt({ take, known, billed }: SettlementFacts, rules: SettlementRules): number | undefined {
  const earlier = known.filter((j) => j.submittedAt <= take.submittingAt && j.submittedAt >= take.submittingAt - 2 * rules.longestRunMs);
  // fal bills a job when it finishes: that is its end, even while its take is still being collected.
  const billedAt = new Map(billed.map((b) => [b.requestId, b.billedAt]));
  const finishes = earlier.map((j) => j.finishedAt ?? billedAt.get(j.requestId));
  if (finishes.some((at) => at === undefined)) return undefined;
  const queueDrainedAt = Math.max(take.cutOffAt, ...(finishes as number[]));
  return queueDrainedAt + rules.longestRunMs + rules.recordsLagMs;
}
