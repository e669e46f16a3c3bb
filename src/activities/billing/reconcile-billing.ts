import { log } from '@temporalio/activity';
import { dirname } from 'node:path';
import { billingOfTake, mergeUnclaimed, unclaimedCharges, type TakeBilling, type TakeToReconcile } from '../../domain/billing-reconciliation.js';
import { CLOCK_SKEW_MS } from '../../domain/cut-off-submissions.js';
import type { BilledTake, ReconcileReport, ReconcileRequest } from '../../contract/billing.js';
import type { ActivityDeps } from '../deps.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import type { ProviderRecords } from '../providers/provider.js';
import { adoptedJobs, takesOfProvider, type StoredTake } from '../../store/takes/provider-jobs.js';
import { readTakeBilling, writeTakeBilling, type TakeManifest } from '../../store/takes/take-manifest.js';
import { readReconciliation, writeReconciliation, type ReconciliationRecord } from '../../store/billing/reconciliation-file.js';

/** fal serves at most 90 days of records per call; older ones are out of reach anyway. */
const OLDEST_RECORDS_MS = 89 * 24 * 3_600_000;
/** The first reading without a take waiting for its bill looks back a day. */
const FIRST_WINDOW_MS = 24 * 3_600_000;

/**
 * Reads fal's billing records since the last reading and settles Recoil's spend against them
 * (docs/money.md): each take's cost becomes what fal billed (written beside its take.json, as billing.json),
 * a failed call fal never billed becomes not charged, and billed requests no take claims are kept as
 * unclaimed charges. Also reads fal's prices, for comparing with the price table. Reads and writes only files
 * and fal's records; safe to repeat.
 */
export function reconcileBillingActivity(deps: ActivityDeps) {
  return async function reconcileBilling(request: ReconcileRequest): Promise<ReconcileReport> {
    const { store } = deps;
    const records = deps.providers.fal?.records;
    const earlier = await readReconciliation(store);
    if (!records) {
      return { readable: false, why: "this worker cannot read fal's billing records: set FAL_ADMIN_KEY in the worker's environment", reconciled: [], unclaimed: earlier?.unclaimed ?? [] };
    }
    const now = Date.now();
    const [takes, adopted] = await Promise.all([takesOfProvider(store, 'fal'), adoptedJobs(store, 'fal')]);
    const since = windowStart(request, earlier, takes, now, records.rules.recordsLagMs);
    let billed;
    try {
      billed = await records.billedJobs(undefined, new Date(since));
    } catch (err) {
      const why = `fal's billing records cannot be read (${err instanceof Error ? err.message : String(err)})`;
      return { readable: false, why, reconciled: [], unclaimed: earlier?.unclaimed ?? [] };
    }
    const read = { billedById: new Map(billed.map((job) => [job.requestId, job])), since, now };
    const ours = takes.filter((t) => !request.projectId || t.manifest.projectId === request.projectId);
    const reconciled = (await Promise.all(ours.map((take) => reconcileTake(store, take, read, records, request)))).flat();
    const claimed = new Set([...takes.flatMap((t) => (t.manifest.requestId ? [t.manifest.requestId] : [])), ...adopted.keys()]);
    const unclaimed = mergeUnclaimed(earlier?.unclaimed ?? [], unclaimedCharges(billed, claimed), claimed);
    const falPrices = await readPrices(records, now);
    const record: ReconciliationRecord = {
      schemaVersion: 1,
      readUntil: new Date(now).toISOString(),
      unclaimed,
      ...('prices' in falPrices ? { falPrices } : earlier?.falPrices ? { falPrices: earlier.falPrices } : {}),
    };
    await writeReconciliation(store, record);
    log.info('reconciled with fal\'s billing records', { since: new Date(since).toISOString(), records: billed.length, reconciled: reconciled.length, unclaimed: unclaimed.length });
    return {
      readable: true,
      since: new Date(since).toISOString(),
      until: record.readUntil,
      reconciled,
      unclaimed,
      ...('prices' in falPrices ? { falPrices: falPrices.prices } : { pricesError: falPrices.error }),
    };
  };
}

/** Writes what fal's records say of one take; reports it when it was written by this reconciliation (or an attempt of it). */
async function reconcileTake(store: ArtifactStore, take: StoredTake, read: Parameters<typeof billingOfTake>[1], records: ProviderRecords, request: ReconcileRequest): Promise<BilledTake[]> {
  const dir = dirname(take.path);
  const earlier = await readTakeBilling(store, dir);
  const billing = billingOfTake(toReconcile(take.manifest, earlier), read, records.rules);
  if (billing) await writeTakeBilling(store, dir, billing);
  const current = billing ?? earlier;
  if (!current || Date.parse(current.reconciledAt) < Date.parse(request.startedAt)) return [];
  const { manifest } = take;
  const { projectId, episode, sequenceId, take: number } = manifest;
  return [{ projectId, episode, sequenceId, take: number, kind: 'video', billing: current, recordedUsd: recordedCost(manifest) }];
}

function toReconcile(m: TakeManifest, billing: TakeBilling | undefined): TakeToReconcile {
  const finished = m.times.completedAt;
  return {
    ...(m.requestId ? { requestId: m.requestId } : {}),
    status: m.status,
    ...(m.times.submittingAt ? { submittedAt: Date.parse(m.times.submittingAt) } : {}),
    ...(finished ? { finishedAt: Date.parse(finished) } : {}),
    ...(billing ? { billing } : {}),
  };
}

function recordedCost(m: TakeManifest): number {
  return m.actualCostUsd ?? m.estimatedCostUsd;
}

/**
 * From where fal's records are read: as asked; else a little before the last reading ended (records
 * appear late); else from the oldest take still waiting for its bill; never further back than fal serves.
 */
function windowStart(request: ReconcileRequest, earlier: ReconciliationRecord | undefined, takes: readonly StoredTake[], now: number, recordsLagMs: number): number {
  const oldestServed = now - OLDEST_RECORDS_MS;
  if (request.since) return Math.max(Date.parse(request.since), oldestServed);
  if (earlier) return Math.max(Date.parse(earlier.readUntil) - CLOCK_SKEW_MS - recordsLagMs, oldestServed);
  const waiting = takes.filter((t) => t.manifest.requestId && t.manifest.times.submittingAt).map((t) => Date.parse(t.manifest.times.submittingAt!));
  return Math.max(waiting.length ? Math.min(...waiting) - CLOCK_SKEW_MS : now - FIRST_WINDOW_MS, oldestServed);
}

type FalPrices = NonNullable<ReconciliationRecord['falPrices']>;

/** A price list fal will not give does not stop the reconciliation: the last one read is kept. */
async function readPrices(records: ProviderRecords, now: number): Promise<FalPrices | { error: string }> {
  try {
    return { checkedAt: new Date(now).toISOString(), prices: await records.prices() };
  } catch (err) {
    return { error: `fal's prices cannot be read (${err instanceof Error ? err.message : String(err)})` };
  }
}
