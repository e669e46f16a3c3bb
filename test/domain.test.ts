import { describe, expect, it } from 'vitest';
import { matchesRatio, videoResolution } from '../src/domain/aspect-ratio.js';
import { gridFolderName, numberedName, numberOfName, takeFolderName } from '../src/domain/ids.js';
import { AccountSlots } from '../src/domain/account-slots.js';
import { GenerationLedger, type GenerationRequest } from '../src/domain/generation-ledger.js';
import { MODEL_NAMES, MODELS } from '../src/domain/models.js';
import { imageCostUsd, imageRate, isPricedVideoModel, videoCostUsd, type PriceTable } from '../src/domain/price-table.js';
import { PriceTableSchema } from '../src/domain/price-table-schema.js';
import { applyShotOverrides, rewriteTriggers, type UnitElement } from '../src/domain/sequence-unit.js';
import { SEQUENCE_STATES, transition } from '../src/domain/state-machine.js';
import { makeUnit } from './helpers/units.js';

describe('state machine', () => {
  it('walks the client subset pending → video_generating → video_complete → approved', () => {
    let state = transition('pending', { type: 'start_video' });
    expect(state).toEqual({ ok: true, state: 'video_generating' });
    state = transition('video_generating', { type: 'video_ready' });
    expect(state).toEqual({ ok: true, state: 'video_complete' });
    expect(transition('video_complete', { type: 'approve' })).toEqual({ ok: true, state: 'approved' });
  });

  it('walks the frame stage and returns from budget waits to the stage that waited', () => {
    expect(transition('pending', { type: 'start_frames' })).toEqual({ ok: true, state: 'frame_generating' });
    expect(transition('frame_generating', { type: 'frames_ready' })).toEqual({ ok: true, state: 'frame_review' });
    expect(transition('frame_review', { type: 'regenerate_frames' })).toEqual({ ok: true, state: 'frame_generating' });
    expect(transition('frame_review', { type: 'select_frame' })).toEqual({ ok: true, state: 'video_generating' });
    expect(transition('video_generating', { type: 'wait_budget' })).toEqual({ ok: true, state: 'awaiting_budget' });
    expect(transition('awaiting_budget', { type: 'budget_granted', stage: 'frame_generating' })).toEqual({ ok: true, state: 'frame_generating' });
    expect(transition('awaiting_budget', { type: 'budget_granted', stage: 'video_generating' })).toEqual({ ok: true, state: 'video_generating' });
  });

  it('refuses what does not apply, with a reason a person understands', () => {
    expect(transition('video_generating', { type: 'approve' })).toEqual({ ok: false, reason: 'cannot approve: a take is still being generated; wait until it is video_complete' });
    expect(transition('approved', { type: 'retake' })).toEqual({ ok: false, reason: 'cannot retake: the sequence is already approved' });
    expect(transition('frame_review', { type: 'approve' }).ok).toBe(false);
    for (const state of SEQUENCE_STATES) expect(transition(state, { type: 'approve' }).ok).toBe(state === 'video_complete');
  });

  it('lets a failed sequence be retaken or sent back to frames', () => {
    expect(transition('failed', { type: 'retake' })).toEqual({ ok: true, state: 'video_generating' });
    expect(transition('failed', { type: 'regenerate_frames' })).toEqual({ ok: true, state: 'frame_generating' });
  });
});

describe('generation ledger', () => {
  const video = (sequenceId: string, estimateUsd = 1) => ({ sequenceId, number: 1, kind: 'video' as const, estimateUsd });

  it('never has more video jobs in flight than the limit; grids take no slot', () => {
    const ledger = new GenerationLedger(2, undefined);
    for (const id of ['A', 'B', 'C']) ledger.request(video(id));
    ledger.request({ sequenceId: 'D', number: 1, kind: 'grid', estimateUsd: 0.04 });
    expect(ledger.grant().map((r) => `${r.sequenceId}/${r.kind}`)).toEqual(['A/video', 'B/video', 'D/grid']);
    expect(ledger.waiting()).toMatchObject([{ request: { sequenceId: 'C' }, reason: 'slot' }]);
    ledger.settle(video('A'), 1);
    expect(ledger.grant().map((r) => r.sequenceId)).toEqual(['C']);
  });

  it('refuses a request without a usable estimate, which every budget check would let through', () => {
    const ledger = new GenerationLedger(2, 1);
    expect(ledger.request(video('A', Number.NaN))).toMatch(/no usable cost estimate/);
    expect(ledger.request({ ...video('A'), estimateUsd: undefined as unknown as number })).toMatch(/no usable cost estimate/);
    expect(ledger.request({ sequenceId: 'A' } as GenerationRequest)).toMatch(/must name a sequence, a kind/);
    expect(ledger.waiting()).toEqual([]);
    expect(ledger.grant()).toEqual([]);
  });

  it('reserves before granting, settles with the actual cost, and never lets reservations exceed the budget', () => {
    const ledger = new GenerationLedger(4, 2.5);
    for (const id of ['A', 'B', 'C', 'D']) ledger.request(video(id));
    expect(ledger.grant().map((r) => r.sequenceId)).toEqual(['A', 'B']);
    expect(ledger.reservedUsd).toBe(2);
    expect(ledger.waiting().map((w) => w.reason)).toEqual(['budget', 'budget']);
    ledger.settle(video('A'), 0); // a 5xx is not billed
    expect(ledger.grant().map((r) => r.sequenceId)).toEqual(['C']);
    ledger.settle(video('B'), 1);
    ledger.settle(video('C'), 1);
    expect(ledger.spentUsd).toBe(2);
    expect(ledger.grant()).toEqual([]);
    ledger.setBudget(3);
    expect(ledger.grant().map((r) => r.sequenceId)).toEqual(['D']);
    expect(ledger.leftUsd).toBe(0);
  });

  it('counts a settlement heard twice once: the finished job hands its slot over, then its workflow settles again', () => {
    const ledger = new GenerationLedger(1, 5);
    ledger.request(video('A'));
    ledger.request(video('B'));
    expect(ledger.grant().map((r) => r.sequenceId)).toEqual(['A']);
    ledger.settle(video('A'), 0.84);
    expect(ledger.grant().map((r) => r.sequenceId)).toEqual(['B']);
    ledger.settle(video('A'), 0.84);
    expect(ledger.spentUsd).toBe(0.84);
    expect(ledger.generating).toEqual(['B']);
  });

  it('counts what adopted sequences spent in earlier runs', () => {
    const ledger = new GenerationLedger(2, 2);
    ledger.recordSequenceSpend('A', 1.5);
    ledger.request(video('B'));
    expect(ledger.grant()).toEqual([]);
    expect(ledger.waiting()[0]!.reason).toBe('budget');
  });
});

describe('account slots', () => {
  const claim = (holder: string, ticket = 'take-1') => ({ holder, ticket, label: `${holder} ${ticket}`, askedAt: '2026-12-04T10:00:00Z' });

  it('serves the first to ask first, keeps a place for a repeated ask, and frees a slot released twice once', () => {
    const slots = new AccountSlots({ capacity: 1, holding: [], waiting: [] });
    slots.ask(claim('A'));
    slots.ask(claim('B'));
    slots.ask(claim('A'));
    expect(slots.grant().map((c) => c.holder)).toEqual(['A']);
    expect(slots.isHolding(claim('A'))).toBe(true);
    expect(slots.isHolding(claim('B'))).toBe(false);
    slots.release(claim('A'));
    slots.release(claim('A'));
    expect(slots.grant().map((c) => c.holder)).toEqual(['B']);
    expect(slots.snapshot()).toMatchObject({ holding: [{ holder: 'B' }], waiting: [] });
  });
});

describe('aspect ratios, prices and prompts', () => {
  it('derives every resolution from the project ratio', () => {
    expect(videoResolution('16:9')).toEqual({ width: 1280, height: 720 });
    expect(videoResolution('9:16')).toEqual({ width: 720, height: 1280 });
    expect(videoResolution('1:1')).toEqual({ width: 960, height: 960 });
    expect(matchesRatio({ width: 1344, height: 768 }, '16:9', 0.02)).toBe(true);
    expect(matchesRatio({ width: 720, height: 1280 }, '16:9')).toBe(false);
  });

  it('prices video per second by audio and images by tokens, from the table it is given', () => {
    const table: PriceTable = {
      video_usd_per_second: { 'kling-o3': { audio_off: 0.084, audio_on: 0.112 }, 'kling-o3-pro': { audio_off: 0.112, audio_on: 0.14 } },
      gemini_image_models: { 'gemini-3-pro-image-preview': { usd_per_million_output_tokens: 120, output_tokens_per_image: 1120 } },
    };
    expect(videoCostUsd(table, 'kling-o3', 10, false)).toBe(0.84);
    expect(videoCostUsd(table, 'kling-o3', 10, true)).toBe(1.12);
    expect(videoCostUsd(table, 'kling-o3-pro', 5, false)).toBe(0.56);
    expect(videoCostUsd(table, 'local', 10, true)).toBe(0);
    const rate = imageRate(table, 'gemini-3-pro-image-preview')!;
    expect(imageCostUsd(rate)).toBe(0.134);
    expect(imageCostUsd(rate, 2000)).toBe(0.24);
    expect(imageRate(table, 'gemini-2.5-flash-image')).toBeUndefined();
    expect(imageRate(table, 'constructor')).toBeUndefined();
  });

  it('the price table must have a row for every paid video model, and for no other', () => {
    const rows = Object.keys(PriceTableSchema.shape.video_usd_per_second.shape).sort();
    expect(MODEL_NAMES.filter((m) => MODELS[m].kind === 'video' && MODELS[m].paid).sort()).toEqual(rows);
    expect(MODEL_NAMES.filter(isPricedVideoModel).sort()).toEqual(rows);
  });

  it('rewrites trigger words to @ElementN in sequence order, whole words only', () => {
    const elements: UnitElement[] = [
      { id: 'van', index: 1, name: 'Van', kind: 'vehicle', frontalImage: 'a.png', referenceImages: [], trigger: '@van' },
      { id: 'maya', index: 2, name: 'Maya', kind: 'character', frontalImage: 'b.png', referenceImages: [], trigger: '@maya' },
    ];
    expect(rewriteTriggers('@maya drives @van; @vanessa waves', elements)).toBe('@Element2 drives @Element1; @vanessa waves');
  });

  it('applies retake prompts by 1-based shot index and keeps the rest', () => {
    const unit = makeUnit({ durations: [3, 4] });
    const shots = applyShotOverrides(unit, { '2': 'New second shot' });
    expect(shots.map((s) => [s.prompt, s.duration])).toEqual([
      ['Shot 1 of the test', 3],
      ['New second shot', 4],
    ]);
  });
});

describe('numbered folder names', () => {
  it('spells takes, grids and versions with three digits at least, and reads back only what it spells', () => {
    expect([numberedName('t', 1), numberedName('g', 12), numberedName('v', 100), numberedName('t', 1234)]).toEqual(['t001', 'g012', 'v100', 't1234']);
    expect([takeFolderName(7), gridFolderName(7)]).toEqual(['t007', 'g007']);
    for (const n of [1, 42, 999, 1000]) expect(numberOfName('v', numberedName('v', n))).toBe(n);
    for (const other of ['t1', 'g001', '.t003-x1', 't001.tmp', 'T001']) expect(numberOfName('t', other), other).toBeUndefined();
  });
});
