import { describe, expect, it } from 'vitest';
import { billingOfTake, mergeUnclaimed, unclaimedCharges, type RecordsRead, type TakeToReconcile } from '../src/domain/billing-reconciliation.js';
import type { BilledJob } from '../src/domain/cut-off-submissions.js';
import { GenerationLedger } from '../src/domain/generation-ledger.js';
import { priceDifferences } from '../src/domain/price-check.js';
import { MODELS } from '../src/domain/models.js';
import { spendByOutcome } from '../src/domain/spend-by-outcome.js';
import { shippedPricing } from './helpers/pricing.js';

const MIN = 60_000;
const RULES = { longestRunMs: 20 * MIN, recordsLagMs: 5 * MIN };
const T0 = Date.parse('2026-12-01T10:00:00Z');

const job = (requestId: string, at: number, costUsd = 0.42, outputUnits = 5): BilledJob => ({ requestId, endpoint: MODELS['kling-o3'].endpoint, billedAt: at, outputUnits, costUsd });
const read = (jobs: BilledJob[], now: number, since = T0 - 60 * MIN): RecordsRead => ({ billedById: new Map(jobs.map((j) => [j.requestId, j])), since, now });

describe('what fal\'s records say of a take', () => {
  const complete: TakeToReconcile = { requestId: 'r1', status: 'complete', submittedAt: T0, finishedAt: T0 + 2 * MIN };
  const failed: TakeToReconcile = { requestId: 'r2', status: 'failed', submittedAt: T0, finishedAt: T0 + 2 * MIN };

  it('is billed at fal\'s cost when a record names its request', () => {
    expect(billingOfTake(complete, read([job('r1', T0 + 2 * MIN, 0.378)], T0 + 10 * MIN), RULES)).toEqual({
      state: 'billed',
      usd: 0.378,
      requestId: 'r1',
      billedAt: new Date(T0 + 2 * MIN).toISOString(),
      reconciledAt: new Date(T0 + 10 * MIN).toISOString(),
    });
  });

  it('says nothing new when it already carries that bill', () => {
    const billed = billingOfTake(complete, read([job('r1', T0)], T0 + 10 * MIN), RULES)!;
    expect(billingOfTake({ ...complete, billing: billed }, read([job('r1', T0)], T0 + 20 * MIN), RULES)).toBeUndefined();
  });

  it('keeps a completed take at its recorded cost while its record has not appeared', () => {
    expect(billingOfTake(complete, read([], T0 + 60 * MIN), RULES)).toBeUndefined();
  });

  it('settles a failed call as not charged only once fal could no longer bill it', () => {
    const done = T0 + 2 * MIN + RULES.longestRunMs + RULES.recordsLagMs;
    expect(billingOfTake(failed, read([], done - 1), RULES)).toBeUndefined();
    expect(billingOfTake(failed, read([], done), RULES)).toMatchObject({ state: 'not_charged', usd: 0, requestId: 'r2' });
  });

  it('never calls a failed call not charged from records that began after it was sent', () => {
    expect(billingOfTake(failed, read([], T0 + 120 * MIN, T0 + MIN), RULES)).toBeUndefined();
  });

  it('bills a failed call fal did charge (a refusal after the job ran)', () => {
    expect(billingOfTake(failed, read([job('r2', T0 + 3 * MIN, 0.5)], T0 + 4 * MIN), RULES)).toMatchObject({ state: 'billed', usd: 0.5 });
  });

  it('leaves a take without a request id alone: nothing in the records can be matched to it', () => {
    expect(billingOfTake({ status: 'failed', finishedAt: T0 }, read([job('x', T0)], T0 + 120 * MIN), RULES)).toBeUndefined();
  });
});

describe('unclaimed charges', () => {
  it('are the billed requests no take claims, oldest first', () => {
    const found = unclaimedCharges([job('b', T0 + 2 * MIN), job('mine', T0), job('a', T0 + MIN, 0.3, 3)], new Set(['mine']));
    expect(found.map((c) => c.requestId)).toEqual(['a', 'b']);
    expect(found[0]).toEqual({ requestId: 'a', endpoint: MODELS['kling-o3'].endpoint, billedAt: new Date(T0 + MIN).toISOString(), usd: 0.3, outputUnits: 3 });
  });

  it('stay until a take claims them (a cut-off take may adopt one later), once each', () => {
    const earlier = unclaimedCharges([job('a', T0), job('b', T0 + MIN)], new Set());
    const merged = mergeUnclaimed(earlier, unclaimedCharges([job('b', T0 + MIN), job('c', T0 + 2 * MIN)], new Set()), new Set(['a']));
    expect(merged.map((c) => c.requestId)).toEqual(['b', 'c']);
  });
});

describe('the episode\'s ledger with fal\'s bill', () => {
  const take = { sequenceId: 'SEQ01', kind: 'video' as const, number: 1 };

  it('replaces what a settled take was counted at, and frees budget when fal billed less', () => {
    const ledger = new GenerationLedger(2, 1);
    ledger.request({ ...take, estimateUsd: 0.6 });
    ledger.grant();
    ledger.settle(take, 0.6);
    ledger.request({ sequenceId: 'SEQ02', kind: 'video', number: 1, estimateUsd: 0.6 });
    expect(ledger.waiting()).toEqual([expect.objectContaining({ reason: 'budget' })]);
    ledger.recordBilled(take, 0.35);
    ledger.recordBilled(take, 0.35);
    expect(ledger.spentUsd).toBe(0.35);
    expect(ledger.grant().map((r) => r.sequenceId)).toEqual(['SEQ02']);
  });

  it('counts fal\'s bill when it is read before the take settles', () => {
    const ledger = new GenerationLedger(2, undefined);
    ledger.request({ ...take, estimateUsd: 0.6 });
    ledger.grant();
    ledger.recordBilled(take, 0.4);
    ledger.settle(take, 0.6);
    expect(ledger.spentUsd).toBe(0.4);
  });

  it('ignores an amount that is not money', () => {
    const ledger = new GenerationLedger(2, undefined);
    ledger.request({ ...take, estimateUsd: 0.6 });
    ledger.grant();
    ledger.settle(take, 0.6);
    ledger.recordBilled(take, Number.NaN);
    ledger.recordBilled(take, -1);
    expect(ledger.spentUsd).toBe(0.6);
  });
});

describe('the price table against fal\'s prices', () => {
  it('names each rate fal prices differently, and only those', async () => {
    const { table } = await shippedPricing();
    const standard = { endpoint: MODELS['kling-o3'].endpoint, unitPrice: table.video_usd_per_second['kling-o3'].audio_off, unit: 'seconds', currency: 'USD' };
    const pro = { endpoint: MODELS['kling-o3-pro'].endpoint, unitPrice: 0.168, unit: 'seconds', currency: 'USD' };
    expect(priceDifferences(table, [standard, pro])).toEqual([
      { model: 'kling-o3-pro', endpoint: pro.endpoint, tableUsd: table.video_usd_per_second['kling-o3-pro'].audio_off, falUsd: 0.168, unit: 'seconds' },
    ]);
    expect(priceDifferences(table, [])).toEqual([]);
  });
});

describe('where the money went', () => {
  it('splits spend into approved, discarded (critics or a retake), failed and still open', () => {
    const split = spendByOutcome([
      {
        approvedTake: 3,
        takes: [
          { take: 1, state: 'rejected_by_critics', costUsd: 0.5 },
          { take: 2, state: 'complete', costUsd: 0.5, billedUsd: 0.45 },
          { take: 3, state: 'complete', costUsd: 0.5 },
        ],
      },
      { takes: [{ take: 1, state: 'failed', costUsd: 0.5 }, { take: 2, state: 'complete', costUsd: 0.5 }] },
    ]);
    expect(split).toEqual({ approvedUsd: 0.5, discardedUsd: 0.95, failedUsd: 0.5, openUsd: 0.5 });
  });
});
