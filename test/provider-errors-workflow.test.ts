import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFalProvider } from '../src/activities/providers/fal/fal-provider.js';
import { createGeminiGridProvider } from '../src/activities/providers/gemini/gemini-grid-provider.js';
import { matchesRatio } from '../src/domain/aspect-ratio.js';
import { videoCostUsd } from '../src/domain/price-table.js';
import { shippedPricing } from './helpers/pricing.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { episodeStatusQuery, type EpisodeInput } from '../src/contract/episode.js';
import { episodeWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';
import type { TakeManifest } from '../src/store/takes/take-manifest.js';
import { approveSignal, retakeSignal, selectFrameSignal } from '../src/contract/sequence.js';
import { startFalFake } from './fakes/fal-fake.js';
import { startGeminiFake } from './fakes/gemini-fake.js';
import { startHarness, waitForStatus, type Harness } from './helpers/harness.js';
import { readTakeJsonOf } from './helpers/take-json.js';
import { makeUnit } from './helpers/units.js';
import { tempFolders } from './helpers/temp-folders.js';

const PRICING = await shippedPricing();
const tempFolder = tempFolders('recoil-fal-uploads-');

const FAL_KEY = `fal-${randomUUID()}`;
const GEMINI_KEY = `gem-${randomUUID()}`;
let fal: Awaited<ReturnType<typeof startFalFake>>;
let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
let harness: Harness;
let wrongKeyHarness: Harness;

beforeAll(async () => {
  fal = await startFalFake({ key: FAL_KEY });
  const uploadCacheDir = await tempFolder();
  gemini = await startGeminiFake({ apiKey: GEMINI_KEY });
  harness = await startHarness(
    { fal: createFalProvider({ credentials: FAL_KEY, baseUrl: fal.baseUrl, pollIntervalMs: 100, uploadCacheDir, prices: PRICING.table }) },
    undefined,
    undefined,
    { gemini: createGeminiGridProvider({ apiKey: GEMINI_KEY, baseUrl: gemini.baseUrl, model: PRICING.gridModel, rate: PRICING.gridRate }) },
  );
  wrongKeyHarness = await startHarness({ fal: createFalProvider({ credentials: 'not-the-key', baseUrl: fal.baseUrl, pollIntervalMs: 100, uploadCacheDir, prices: PRICING.table }) });
});
afterAll(async () => {
  await harness?.stop();
  await wrongKeyHarness?.stop();
  await fal?.close();
  await gemini?.close();
});

function takeManifest(h: Harness, unit: SequenceUnit, take: number): Promise<TakeManifest> {
  return readTakeJsonOf(h.artifactsRoot, { ...unit, take });
}

/** Paid work needs its episode (the budget authority): start one around the sequence and return the sequence. */
async function start(h: Harness, unit: SequenceUnit, timings: Pick<EpisodeInput, 'retryCapSec'> = {}) {
  const input: EpisodeInput = { projectId: unit.projectId, episode: unit.episode, units: [unit], provider: 'fal', maxParallel: 2, maxTakes: 3, autoRetakes: 0, heartbeatTimeoutSec: 5, startedBy: 'test', ...timings };
  await startOrFindEpisode(h.client, input, h.taskQueue);
  return h.client.workflow.getHandle(sequenceWorkflowId(unit.projectId, unit.episode, unit.sequenceId));
}

function unitWithPrompt(firstPrompt: string, extra: Partial<SequenceUnit> = {}): SequenceUnit {
  const unit = makeUnit(extra);
  unit.shots[0] = { ...unit.shots[0]!, prompt: firstPrompt, providerPrompt: firstPrompt };
  return unit;
}

describe('paid providers in the workflow (against the fakes)', () => {
  it('fails a take the provider refuses on content policy, and a retake with a new prompt continues', async () => {
    const unit = unitWithPrompt('A crash [fake:content_policy]');
    const handle = await start(harness, unit);
    const failed = await waitForStatus(handle, (s) => s.state === 'failed');
    expect(failed.failure).toMatch(/take 1 failed: the provider refused the content: .* — change the prompt and retake/);
    // fal ran the job before refusing it: the budget counts it at the price fal bills for the job
    // (settled when fal finished it, before the refusal showed), and take.json says what happened.
    const price = videoCostUsd(PRICING.table, unit.model, unit.totalDurationSec, unit.generateAudio);
    expect(failed.spentUsd).toBe(price);
    expect(await takeManifest(harness, unit, 1)).toMatchObject({ status: 'failed', error: expect.stringMatching(/refused the content/), actualCostUsd: price });
    await handle.signal(retakeSignal, { by: 'dir', note: 'tone it down', shots: { '1': 'A near miss, no impact' } });
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete');
    expect(done.takes.map((t) => t.state)).toEqual(['failed', 'complete']);
    expect(done.takes[1]!.requestId).toEqual(expect.any(String));
    await handle.signal(approveSignal, { take: 2, by: 'producer' });
    await handle.result();
  });

  it('fails on a 422 naming the field, and on a wrong key with "check FAL_KEY"', async () => {
    const invalid = await start(harness, unitWithPrompt('Bad input [fake:invalid]'));
    expect((await waitForStatus(invalid, (s) => s.state === 'failed')).failure).toMatch(/fal rejected the request: multi_prompt\[0\]\.prompt: .* — fix the plan and retake/);
    const unauthorised = await start(wrongKeyHarness, unitWithPrompt('Anything'));
    const status = await waitForStatus(unauthorised, (s) => s.state === 'failed');
    expect(status.failure).toMatch(/check FAL_KEY in the worker environment/);
    expect(status.failure).not.toContain('not-the-key');
    // Cancelling a failed sequence gives up on it: its episode then settles with it listed as failed.
    await invalid.cancel();
    const episode = harness.client.workflow.getHandle(invalid.workflowId.split('/').slice(0, 2).join('/'));
    expect(await episode.result()).toMatchObject({ approved: [], failed: ['SEQ01'] });
    await unauthorised.terminate('test done');
  });

  it('rides out 503s on submit, a dropped status stream and a status 500 with one paid submission', async () => {
    const prompt = `Storm ${randomUUID()} [fake:submit_503x2] [fake:stream_cut_once] [fake:status_500_once]`;
    const handle = await start(harness, unitWithPrompt(prompt));
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete', 90_000);
    expect(done.takes).toHaveLength(1);
    expect(fal.submissions.get(prompt)).toBe(1);
    const requestId = done.takes[0]!.requestId!;
    expect(fal.requests).toContainEqual({ method: 'GET', path: expect.stringContaining(`/requests/${requestId}/status?`), status: 500 });
    await handle.terminate('test done');
  });

  it('waits out fal answering 503 for longer than submissions used to be retried (six attempts), paying once', async () => {
    const refusedSubmits = () => fal.requests.filter((r) => r.method === 'POST' && r.status === 503).length;
    const before = refusedSubmits();
    const prompt = `Outage ${randomUUID()} [fake:submit_503x12]`;
    const handle = await start(harness, unitWithPrompt(prompt), { retryCapSec: 1 });
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete', 120_000);
    expect(done.takes).toMatchObject([{ take: 1, state: 'complete' }]);
    expect(refusedSubmits() - before).toBe(12);
    expect(fal.submissions.get(prompt)).toBe(1);
    await handle.terminate('test done');
  });

  it('asks Gemini again after a 429, which generated nothing, and pays for one grid', async () => {
    const prompt = `Harbour at dawn ${randomUUID()} [fake:429-once]`;
    const handle = await start(harness, makeUnit({ startFrame: { kind: 'prompt', prompt } }));
    const review = await waitForStatus(handle, (s) => s.state === 'frame_review', 60_000);
    expect(review.grids.map((g) => g.costUsd)).toEqual([0.039]);
    // The first call was answered 429; the retry made the one grid.
    expect(gemini.requests.filter((r) => JSON.stringify(r.body).includes(prompt))).toHaveLength(2);
    await handle.terminate('test done');
  });

  describe('what a failed grid costs, as the activity that asked says', () => {
    const episodeSpend = (unit: SequenceUnit) => harness.client.workflow.getHandle(episodeWorkflowId(unit.projectId, unit.episode)).query(episodeStatusQuery);
    const asked = (prompt: string) => gemini.requests.filter((r) => JSON.stringify(r.body).includes(prompt)).length;

    it('a Gemini 400 (answered, nothing made) leaves the budget untouched', async () => {
      const unit = makeUnit({ startFrame: { kind: 'prompt', prompt: `Bad request ${randomUUID()} [fake:400]` } });
      const failed = await waitForStatus(await start(harness, unit), (s) => s.state === 'failed', 60_000);
      expect(failed.failure).toMatch(/grid 1 failed: Gemini rejected the grid request \(INVALID_ARGUMENT/);
      expect(failed.spentUsd).toBe(0);
      // The sequence settles with its episode after it reports failed: wait for the reservation to go.
      await expect.poll(async () => (await episodeSpend(unit)).reservedUsd, { timeout: 10_000 }).toBe(0);
      expect(await episodeSpend(unit)).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
    });

    it('a call whose outcome is unknown (connection cut) is counted at its estimate and not asked again', async () => {
      const prompt = `Cut ${randomUUID()} [fake:cut]`;
      const unit = makeUnit({ startFrame: { kind: 'prompt', prompt } });
      const failed = await waitForStatus(await start(harness, unit), (s) => s.state === 'failed', 60_000);
      expect(failed.failure).toMatch(/may have been charged/);
      await expect.poll(async () => (await episodeSpend(unit)).spentUsd, { timeout: 10_000 }).toBe(unit.estimatedGridCostUsd);
      expect(asked(prompt)).toBe(1);
    });

    it('an answer without an image is asked again exactly once, and the grid is paid once', async () => {
      const prompt = `Words once ${randomUUID()} [fake:text-once]`;
      const review = await waitForStatus(await start(harness, makeUnit({ startFrame: { kind: 'prompt', prompt } })), (s) => s.state === 'frame_review', 60_000);
      expect(asked(prompt)).toBe(2);
      expect(review.grids.map((g) => g.costUsd)).toEqual([0.039]);
    });

    it('two answers without an image stop the grid after exactly two asks, saying what to do', async () => {
      const prompt = `Words only ${randomUUID()} [fake:text-only]`;
      const failed = await waitForStatus(await start(harness, makeUnit({ startFrame: { kind: 'prompt', prompt } })), (s) => s.state === 'failed', 60_000);
      expect(failed.failure).toMatch(/Gemini answered without an image .*twice: rephrase the start_frame prompt/);
      expect(asked(prompt)).toBe(2);
    });
  });

  it('explores start frames with Gemini: a real grid of the project ratio, paid for and recorded', async () => {
    const unit = makeUnit({ aspectRatio: '9:16', startFrame: { kind: 'prompt', prompt: 'Neon gas station at night' } });
    const handle = await start(harness, unit);
    const review = await waitForStatus(handle, (s) => s.state === 'frame_review');
    const grid = review.grids[0]!;
    expect(grid.costUsd).toBe(0.039);
    expect(review.spentUsd).toBe(0.039);
    const meta = await sharp(grid.gridPath).metadata();
    expect(matchesRatio({ width: meta.width!, height: meta.height! }, '9:16')).toBe(true);
    for (const q of grid.quadrants) expect(await sharp(q).metadata()).toMatchObject({ width: 720, height: 1280 });
    expect(gemini.requests.at(-1)?.path).toMatch(/^\/v1beta\/models\/gemini-2\.5-flash-image:generateContent/);
    await handle.signal(selectFrameSignal, { grid: 1, quadrant: 4, by: 'dir' });
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete', 60_000);
    const body = [...fal.jobs.values()].at(-1)!.body;
    expect(body.start_image_url).toEqual(expect.stringContaining('https://'));
    expect(body.aspect_ratio).toBe('9:16');
    expect(done.spentUsd).toBeCloseTo(0.039 + videoCostUsd(PRICING.table, 'kling-o3', 6, false), 6);
    // Both keys stay in the worker: neither is in the history, the grid manifest or the take manifest.
    const history = JSON.stringify(await handle.fetchHistory());
    const manifests = (await readFile(join(grid.folder, 'grid.json'), 'utf8')) + (await readFile(join(done.takes[0]!.folder!, 'take.json'), 'utf8'));
    for (const key of [GEMINI_KEY, FAL_KEY]) {
      expect(history).not.toContain(key);
      expect(manifests).not.toContain(key);
    }
    await handle.terminate('test done');
  });
});
