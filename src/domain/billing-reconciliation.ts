import type { BilledJob } from './cut-off-submissions.js';
import { roundUsd } from './price-table.js';

/**
 * Reconciling Recoil's spend with fal's bill. Every take is counted when it ends at the price
 * table's figure (or, for a call that may have cost money, at its estimate); fal's billing events
 * later say what each request really cost. These rules turn those records into: each take's billed
 * cost, takes whose failed call fal never charged, and billed requests no take claims. Pure: every
 * input is passed in.
 */

/** What fal's records say a take cost: billed (with the record), or certainly not charged. */
export interface TakeBilling {
  state: 'billed' | 'not_charged';
  usd: number;
  requestId: string;
  /** When fal billed it (ISO), for a billed take. */
  billedAt?: string;
  /** When Recoil read it from fal's records (ISO). */
  reconciledAt: string;
}

/** A take as reconciliation sees it (from take.json). */
export interface TakeToReconcile {
  requestId?: string;
  status: 'submitting' | 'not_submitted' | 'submitted' | 'complete' | 'failed';
  /** When its request was sent (epoch ms): fal cannot have billed it before. */
  submittedAt?: number;
  /** When the take ended, complete or failed (epoch ms). */
  finishedAt?: number;
  billing?: TakeBilling;
}

/** A billed request that no take claims: money fal took that no take accounts for. */
export interface UnclaimedCharge {
  requestId: string;
  endpoint: string;
  billedAt: string;
  usd: number;
  /** Seconds of video billed. */
  outputUnits: number;
}

export interface ReconcileRules {
  /** The longest a job can run at fal: a failed take's job may still be billed until then. */
  longestRunMs: number;
  /** How late a billing record may appear after its job finished. */
  recordsLagMs: number;
}

/** The records read: every billed request from `since` (epoch ms) until `now`. */
export interface RecordsRead {
  billedById: ReadonlyMap<string, BilledJob>;
  since: number;
  now: number;
}

/**
 * What fal's records say of one take, or undefined when they say nothing new: billed when a record
 * names its request; not charged when its call failed, the records read cover everything since it
 * was sent, and no record appeared long after the job could have run; otherwise it keeps what it had
 * (a completed take whose record has not appeared yet stays at the price table's figure).
 */
export function billingOfTake(take: TakeToReconcile, read: RecordsRead, rules: ReconcileRules): TakeBilling | undefined {
  const { billedById, since, now } = read;
  if (!take.requestId) return undefined;
  const reconciledAt = new Date(now).toISOString();
  const record = billedById.get(take.requestId);
  if (record) {
    const billing: TakeBilling = { state: 'billed', usd: roundUsd(record.costUsd), requestId: record.requestId, billedAt: new Date(record.billedAt).toISOString(), reconciledAt };
    return sameBilling(take.billing, billing) ? undefined : billing;
  }
  if (take.billing || take.status !== 'failed' || take.finishedAt === undefined || take.submittedAt === undefined) return undefined;
  if (since > take.submittedAt || now < take.finishedAt + rules.longestRunMs + rules.recordsLagMs) return undefined;
  return { state: 'not_charged', usd: 0, requestId: take.requestId, reconciledAt };
}

/** Billed requests that neither a take nor an adoption claims, oldest first. */
export function unclaimedCharges(billed: readonly BilledJob[], claimed: ReadonlySet<string>): UnclaimedCharge[] {
  return billed
    .filter((job) => !claimed.has(job.requestId))
    .sort((a, b) => a.billedAt - b.billedAt)
    .map((job) => ({ requestId: job.requestId, endpoint: job.endpoint, billedAt: new Date(job.billedAt).toISOString(), usd: roundUsd(job.costUsd), outputUnits: job.outputUnits }));
}

/**
 * The unclaimed charges known after this reading: those found earlier that still no take claims
 * (a cut-off take may adopt one later), and the new ones; one entry per request.
 */
export function mergeUnclaimed(earlier: readonly UnclaimedCharge[], found: readonly UnclaimedCharge[], claimed: ReadonlySet<string>): UnclaimedCharge[] {
  const byId = new Map<string, UnclaimedCharge>();
  for (const charge of [...earlier, ...found]) if (!claimed.has(charge.requestId)) byId.set(charge.requestId, charge);
  return [...byId.values()].sort((a, b) => a.billedAt.localeCompare(b.billedAt));
}

/** A take's cost as it should be counted: fal's bill when known, else what Recoil recorded. */
export function countedCostUsd(recordedUsd: number, billing: Pick<TakeBilling, 'usd'> | undefined): number {
  return billing ? billing.usd : recordedUsd;
}

function sameBilling(a: TakeBilling | undefined, b: TakeBilling): boolean {
  return a?.state === b.state && a.usd === b.usd && a.requestId === b.requestId;
}
