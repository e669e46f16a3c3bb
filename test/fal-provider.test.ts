import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApiError } from '@fal-ai/client';
import { CancelledFailure } from '@temporalio/activity';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureOf as failureWithout } from './helpers/failure-of.js';
import { ffmpegPath } from '../src/activities/media/binaries.js';
import { probeVideo } from '../src/activities/media/probe.js';
import { runProcess } from '../src/activities/media/run-process.js';
import { createFalProvider, type FalProviderOptions } from '../src/activities/providers/fal/fal-provider.js';
import { listBilledJobs } from '../src/activities/providers/fal/platform-api.js';
import { toFalFailure } from '../src/activities/providers/fal/fal-errors.js';
import type { CliError } from '../src/domain/cli-error.js';
import { falStorageFromEnv } from '../src/worker/fal-storage-from-env.js';
import { redirectingFetch } from '../src/activities/providers/fal/redirecting-fetch.js';
import { awaitVideo, wasNotAccepted, type AwaitContext, type VideoJob, type VideoProvider } from '../src/activities/providers/provider.js';
import { videoResolution } from '../src/domain/aspect-ratio.js';
import { videoCostUsd } from '../src/domain/price-table.js';
import { shippedPricing } from './helpers/pricing.js';
import { rewriteTriggers, type SequenceUnit, type UnitElement } from '../src/domain/sequence-unit.js';
import { startFalFake, type FalFake } from './fakes/fal-fake.js';
import { makeUnit } from './helpers/units.js';

const PRICING = await shippedPricing();

const KEY = 'fal-test-key-3f9c2e71:never-print-this-secret';
const failureOf = (call: Promise<unknown>) => failureWithout(call, KEY);

const IMAGES = {
  mayaFront: { file: 'images/maya_front.png', colour: { r: 200, g: 60, b: 40 } },
  mayaSide: { file: 'images/maya_side.png', colour: { r: 60, g: 200, b: 40 } },
  vanFront: { file: 'images/van_front.png', colour: { r: 40, g: 60, b: 200 } },
  start: { file: 'frames/start.png', colour: { r: 230, g: 210, b: 30 } },
} as const;

const ELEMENTS: UnitElement[] = [
  { id: 'maya', index: 1, name: 'Maya', kind: 'character', frontalImage: IMAGES.mayaFront.file, referenceImages: [IMAGES.mayaSide.file], trigger: '@maya' },
  { id: 'van', index: 2, name: 'The van', kind: 'vehicle', frontalImage: IMAGES.vanFront.file, referenceImages: [], trigger: '@van' },
];

let fake: FalFake;
let root: string;
let projectDir: string;
let cacheDir: string;

beforeAll(async () => {
  fake = await startFalFake({ key: KEY });
  root = await mkdtemp(join(tmpdir(), 'recoil-fal-provider-'));
  projectDir = join(root, 'project');
  cacheDir = join(root, 'artifacts');
  for (const { file, colour } of Object.values(IMAGES)) {
    await mkdir(dirname(join(projectDir, file)), { recursive: true });
    await sharp({ create: { width: 512, height: 512, channels: 3, background: colour } }).png().toFile(join(projectDir, file));
  }
});
afterAll(async () => {
  await fake?.close();
  await rm(root, { recursive: true, force: true });
});

function falProvider(options: Partial<FalProviderOptions> = {}): VideoProvider {
  return createFalProvider({ credentials: KEY, baseUrl: fake.baseUrl, pollIntervalMs: 10, uploadCacheDir: cacheDir, prices: PRICING.table, ...options });
}

/** A unit whose first prompt is unique to the test, so the fake's per-prompt counts are the test's own. */
function falUnit(firstPrompt: string, overrides: Partial<SequenceUnit> & { durations?: number[] } = {}): SequenceUnit {
  const unit = makeUnit({ projectDir, elements: ELEMENTS, ...overrides });
  const shots = unit.shots.map((shot, i) => {
    const prompt = i === 0 ? `${firstPrompt} (${randomUUID().slice(0, 8)})` : `Close-up: @maya grips the wheel, shot ${i + 1}`;
    return { ...shot, prompt, providerPrompt: rewriteTriggers(prompt, ELEMENTS) };
  });
  return { ...unit, shots };
}

async function jobFor(unit: SequenceUnit, extra: Partial<VideoJob> = {}): Promise<VideoJob> {
  const takeDir = join(root, 'takes', randomUUID());
  await mkdir(takeDir, { recursive: true });
  return { unit, shots: unit.shots, take: 1, takeDir, ...extra };
}

function recordingContext(signal = new AbortController().signal): AwaitContext & { beats: unknown[] } {
  const beats: unknown[] = [];
  return {
    beats,
    heartbeat(details) {
      expect(JSON.stringify(details)).not.toContain(KEY);
      beats.push(details);
    },
    signal,
  };
}

async function makeTake(provider: VideoProvider, job: VideoJob, ctx = recordingContext()) {
  const { requestId } = await provider.submit(job);
  const videoPath = join(job.takeDir, 'video.mp4');
  await awaitVideo(provider, job, requestId, videoPath, ctx);
  return { requestId, videoPath, costUsd: provider.costOf(job), ctx };
}

/** A raw call to the fake's queue API, as fal's own HTTP API would be called. */
function call(method: string, path: string, server: FalFake = fake): Promise<Response> {
  return fetch(`${server.baseUrl}/queue.fal.run/${path}`, { method, headers: { authorization: `Key ${KEY}` } });
}

/** The fake's log of the HTTP calls about one request. */
function requestsFor(requestId: string) {
  return fake.requests.filter((r) => r.path.includes(`/requests/${requestId}`));
}

/** The values with consecutive repeats collapsed. */
function distinctInOrder<T>(values: T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

/** The name of the local file whose upload the fake served at this URL. */
function fileBehind(url: string): string | undefined {
  return fake.uploads.find((u) => u.fileUrl === url)?.fileName;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('fal Kling provider against the fake', () => {
  it('makes a real MP4 of the requested duration and resolution and returns its cost', async () => {
    const unit = falUnit('Wide shot: the van on the empty highway', { durations: [3, 4] });
    const job = await jobFor(unit);
    const { videoPath, costUsd, ctx } = await makeTake(falProvider(), job);

    const probe = await probeVideo(videoPath);
    expect(probe).toMatchObject({ ...videoResolution('16:9'), hasVideo: true, codec: 'h264' });
    expect(probe.durationSec).toBeCloseTo(7, 1);
    expect(costUsd).toBe(videoCostUsd(PRICING.table, 'kling-o3', 7, false));
    expect(await readdir(job.takeDir)).toEqual(['video.mp4']);
    const statuses = ctx.beats.map((b) => (b as { status: string }).status);
    expect(statuses).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    expect(ctx.beats[0]).toMatchObject({ requestId: expect.any(String), queuePosition: 0 });
  });

  it('sends the multi-shot body: string durations, customize, the unit ratio, explicit audio, elements in @ElementN order, the start frame', async () => {
    const unit = falUnit('@maya loads the @van at dawn', { model: 'kling-o3-pro', aspectRatio: '9:16', resolution: videoResolution('9:16'), generateAudio: true, durations: [4, 4] });
    const job = await jobFor(unit, { startFramePath: join(projectDir, IMAGES.start.file) });
    const { requestId, videoPath, costUsd } = await makeTake(falProvider(), job);

    const sent = fake.jobs.get(requestId)!;
    expect(sent.endpoint).toBe('fal-ai/kling-video/o3/pro/reference-to-video');
    expect(sent.body).toEqual({
      multi_prompt: unit.shots.map((s) => ({ prompt: s.providerPrompt, duration: '4' })),
      shot_type: 'customize',
      duration: '8',
      aspect_ratio: '9:16',
      generate_audio: true,
      start_image_url: expect.any(String),
      elements: [
        { frontal_image_url: expect.any(String), reference_image_urls: [expect.any(String)] },
        { frontal_image_url: expect.any(String), reference_image_urls: [expect.any(String)] },
      ],
    });
    const [maya, van] = sent.body.elements;
    expect(fileBehind(sent.body.start_image_url)).toBe('start.png');
    expect([fileBehind(maya.frontal_image_url), fileBehind(maya.reference_image_urls[0])]).toEqual(['maya_front.png', 'maya_side.png']);
    // No reference images in the bible: the frontal image stands in as the one the API requires.
    expect([fileBehind(van.frontal_image_url), fileBehind(van.reference_image_urls[0])]).toEqual(['van_front.png', 'van_front.png']);
    expect(sent.body.multi_prompt[0].prompt).toMatch(/^@Element1 loads the @Element2/);
    expect(fake.uploads.find((u) => u.fileUrl === maya.frontal_image_url)!.contentType).toBe('image/png');
    expect(await probeVideo(videoPath)).toMatchObject({ width: 720, height: 1280 });
    expect(costUsd).toBe(videoCostUsd(PRICING.table, 'kling-o3-pro', 8, true));
  });

  it('sends image references as image_urls in @ImageN order, the end frame, and a video element with its voice when audio is on', async () => {
    const clip = join(projectDir, 'images', 'maya.mp4');
    await runProcess(ffmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-t', '1', '-pix_fmt', 'yuv420p', clip]);
    const speaking: UnitElement[] = [{ ...ELEMENTS[0]!, video: 'images/maya.mp4', voiceId: 'voice_maya_01' }, ELEMENTS[1]!];
    const imageReferences = [
      { id: 'noir', index: 1, name: 'Noir', kind: 'style' as const, image: IMAGES.start.file, trigger: '@noir' },
      { id: 'pump', index: 2, name: 'Pump', kind: 'location' as const, image: IMAGES.vanFront.file, trigger: '@pump' },
    ];
    const unit = falUnit('@maya at @pump, lit like @noir', { elements: speaking, imageReferences, generateAudio: true });
    const withPrompts = { ...unit, shots: unit.shots.map((s) => ({ ...s, providerPrompt: rewriteTriggers(s.prompt, speaking, imageReferences) })) };
    const { requestId } = await makeTake(falProvider(), await jobFor(withPrompts, { endFramePath: join(projectDir, IMAGES.mayaSide.file) }));
    const { body } = fake.jobs.get(requestId)!;
    expect(body.multi_prompt[0].prompt).toMatch(/^@Element1 at @Image2, lit like @Image1/);
    expect(body.image_urls.map(fileBehind)).toEqual(['start.png', 'van_front.png']);
    expect(fileBehind(body.end_image_url)).toBe('maya_side.png');
    expect(body.elements[0]).toEqual({ frontal_image_url: expect.any(String), reference_image_urls: [expect.any(String)], video_url: expect.any(String), voice_id: 'voice_maya_01' });
    expect(fake.uploads.find((u) => u.fileUrl === body.elements[0].video_url)).toMatchObject({ fileName: 'maya.mp4', contentType: 'video/mp4' });
    expect(body.elements[1]).not.toHaveProperty('video_url');

    // Without sound there is nothing to speak: the voice stays home, the video still goes.
    const { requestId: silent } = await falProvider().submit(await jobFor({ ...withPrompts, generateAudio: false }));
    expect(fake.jobs.get(silent)!.body.elements[0]).toEqual({ frontal_image_url: expect.any(String), reference_image_urls: [expect.any(String)], video_url: expect.any(String) });
  });

  it('is refused by fal, as validation refuses it, past seven references: a mismatch between the two would show here', async () => {
    const many: UnitElement[] = Array.from({ length: 5 }, (_, i) => ({ ...ELEMENTS[0]!, id: `e${i}`, index: i + 1, trigger: `@e${i}` }));
    const imageReferences = Array.from({ length: 3 }, (_, i) => ({ id: `r${i}`, index: i + 1, name: `R${i}`, kind: 'style' as const, image: IMAGES.start.file }));
    const failure = await failureOf(makeTake(falProvider(), await jobFor(falUnit('Eight references', { elements: many, imageReferences }))));
    expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(failure.message).toMatch(/elements: Maximum 7 total \(elements \+ reference images\), got 8/);
  });

  it('sends generate_audio even when it is off, and no start image when there is none', async () => {
    const { requestId } = await falProvider().submit(await jobFor(falUnit('Quiet drive', { elements: [] })));
    const { body } = fake.jobs.get(requestId)!;
    expect(body).toMatchObject({ generate_audio: false, aspect_ratio: '16:9' });
    expect(body).not.toHaveProperty('start_image_url');
    expect(body).not.toHaveProperty('elements');
  });

  it('uploads an image once, across submits and across processes sharing the cache', async () => {
    const dir = await mkdtemp(join(root, 'cache-'));
    const before = fake.uploads.length;
    const provider = falProvider({ uploadCacheDir: dir });
    await provider.submit(await jobFor(falUnit('Cache run one')));
    await provider.submit(await jobFor(falUnit('Cache run two')));
    // A second provider stands for another worker process: only the cache file can stop a second upload.
    await falProvider({ uploadCacheDir: dir }).submit(await jobFor(falUnit('Cache run three')));

    const uploaded = fake.uploads.slice(before);
    expect(uploaded.map((u) => u.fileName).sort()).toEqual(['maya_front.png', 'maya_side.png', 'van_front.png']);
    const cache = JSON.parse(await readFile(join(dir, '.fal-uploads.json'), 'utf8'));
    const mayaHash = sha256(await readFile(join(projectDir, IMAGES.mayaFront.file)));
    expect(cache[mayaHash]).toMatchObject({ url: uploaded.find((u) => u.fileName === 'maya_front.png')!.fileUrl });
  });

  it('uploads nothing twice when one submit uses the same image in several places', async () => {
    const dir = await mkdtemp(join(root, 'cache-'));
    const uploadsBefore = fake.uploads.length;
    const element: UnitElement = { ...ELEMENTS[0]!, referenceImages: [IMAGES.mayaFront.file, IMAGES.mayaFront.file] };
    await falProvider({ uploadCacheDir: dir }).submit(await jobFor(falUnit('Same image twice', { elements: [element] })));
    expect(fake.uploads.length - uploadsBefore).toBe(1);
  });

  it('reports a content-policy refusal as ContentPolicy, not retryable, with the reason', async () => {
    const job = await jobFor(falUnit('[fake:content_policy] Something the checker dislikes'));
    const failure = await failureOf(makeTake(falProvider(), job));
    expect(failure).toMatchObject({ type: 'ContentPolicy', nonRetryable: true });
    expect(failure.message).toMatch(/^the provider refused the content: .*flagged by a content checker — change the prompt and retake$/);
    expect(await readdir(job.takeDir)).toEqual([]);
  });

  it('says a video gone from fal\'s file server is lost for good, not a fault to retry', async () => {
    const job = await jobFor(falUnit('[fake:video_expired] Fetched too late'));
    const failure = await failureOf(makeTake(falProvider(), job));
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(failure.message).toMatch(/gone from fal's file server \(HTTP 404\).*Retake it.*RECOIL_FAL_VIDEO_EXPIRES_SEC/);
    expect(await readdir(job.takeDir)).toEqual([]);
  });

  it.each([
    ['a shot shorter than Kling allows', { durations: [2, 3] }, '', /multi_prompt\[0\]\.duration: .*from 3 to 15/],
    ['a validation failure from fal', {}, '[fake:invalid] ', /multi_prompt\[0\]\.prompt: String should have at most 2500 characters/],
  ])('reports %s as InvalidInput naming the field', async (_case, overrides, marker, field) => {
    const failure = await failureOf(makeTake(falProvider(), await jobFor(falUnit(`${marker}Invalid input case`, overrides))));
    expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(failure.message).toMatch(/^fal rejected the request: /);
    expect(failure.message).toMatch(field);
  });

  it.each([
    ['missing', ''],
    ['wrong', 'fal-wrong-key-5e1d:also-secret'],
  ])('reports a %s key as Auth, telling the producer to check FAL_KEY', async (_case, credentials) => {
    const unit = falUnit('Auth case');
    const failure = await failureOf(falProvider({ credentials, uploadCacheDir: await mkdtemp(join(root, 'cache-')) }).submit(await jobFor(unit)));
    expect(failure).toMatchObject({ type: 'Auth', nonRetryable: true });
    expect(failure.message).toBe('fal rejected the credentials: check FAL_KEY in the worker environment');
    if (credentials) expect(failure.message).not.toContain(credentials);
    expect(fake.submissions.get(unit.shots[0]!.prompt)).toBeUndefined();
  });

  it('sends one request per submit: a 429 is left to the activity to retry, marked as not accepted', async () => {
    const unit = falUnit('[fake:submit_429x2] Busy hour');
    const prompt = unit.shots[0]!.prompt;
    const provider = falProvider();
    const job = await jobFor(unit);
    const submitsSince = (before: number) => fake.requests.slice(before).filter((r) => r.method === 'POST' && r.path.startsWith('/queue.fal.run/'));
    for (let attempt = 1; attempt <= 2; attempt++) {
      const before = fake.requests.length;
      const failure = await failureOf(provider.submit(job));
      expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
      expect(wasNotAccepted(failure)).toBe(true);
      expect(submitsSince(before).map((r) => r.status)).toEqual([429]);
    }
    const before = fake.requests.length;
    const { requestId } = await provider.submit(job);
    expect(submitsSince(before).map((r) => r.status)).toEqual([200]);
    expect(fake.submissions.get(prompt)).toBe(1);
    expect([...fake.jobs.values()].filter((j) => j.body.multi_prompt[0].prompt === prompt).map((j) => j.requestId)).toEqual([requestId]);
  });

  it.each([
    ['a 502', '[fake:accepted_but_502] Lost reply'],
    ['a reply cut off mid-body', '[fake:accepted_but_cut] Cut reply'],
  ])('does not retry %s that fal may have queued: one paid job, and the failure is not marked safe to resubmit', async (_case, prompt) => {
    const unit = falUnit(prompt);
    const failure = await failureOf(falProvider().submit(await jobFor(unit)));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable' });
    expect(wasNotAccepted(failure)).toBe(false);
    // The fake accepts every later submission of this prompt: one accepted means one was sent.
    expect(fake.submissions.get(unit.shots[0]!.prompt)).toBe(1);
  });

  it('gives up on a submit that stays unavailable with a retryable ProviderUnavailable and nothing accepted', async () => {
    const unit = falUnit('[fake:submit_503x9] Outage');
    const failure = await failureOf(falProvider().submit(await jobFor(unit)));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.message).toBe('fal is busy or unavailable (HTTP 503: Service unavailable)');
    expect(fake.submissions.get(unit.shots[0]!.prompt)).toBeUndefined();
  });

  it("follows fal's status stream: one connection, no status polls, every status heartbeated", async () => {
    const { requestId, ctx } = await makeTake(falProvider(), await jobFor(falUnit('[fake:slow_queue_2] Streamed')));
    expect(fake.jobs.get(requestId)!.streams).toBe(1);
    expect(requestsFor(requestId).filter((c) => /\/status(\?|$)/.test(c.path))).toEqual([]);
    expect(distinctInOrder(ctx.beats.map((b) => (b as { status?: string }).status))).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
  });

  it('finishes waiting when fal reports the job done, before fetching anything; collecting then fetches the video', async () => {
    const provider = falProvider();
    const job = await jobFor(falUnit('Waited, then collected', { elements: [] }));
    const { requestId } = await provider.submit(job);
    await provider.awaitFinished(job, requestId, recordingContext());
    expect(fake.jobs.get(requestId)!.state).toBe('COMPLETED');
    expect(requestsFor(requestId).filter((c) => c.path.endsWith(`/requests/${requestId}`))).toEqual([]);
    expect(await readdir(job.takeDir)).toEqual([]);

    const videoPath = join(job.takeDir, 'video.mp4');
    await provider.collect(job, requestId, videoPath, recordingContext());
    expect((await probeVideo(videoPath)).hasVideo).toBe(true);
  });

  it('falls back to polling when the stream drops, survives a failed poll, and never submits again', async () => {
    const unit = falUnit('[fake:stream_cut_once][fake:status_500_once][fake:slow_queue_3] Flaky status');
    const job = await jobFor(unit);
    const { requestId, videoPath } = await makeTake(falProvider(), job);
    expect(fake.jobs.get(requestId)!.streams).toBe(1);
    expect(requestsFor(requestId)).toContainEqual({ method: 'GET', path: expect.stringMatching(new RegExp(`/requests/${requestId}/status\\?`)), status: 500 });
    expect(fake.submissions.get(unit.shots[0]!.prompt)).toBe(1);
    expect((await probeVideo(videoPath)).hasVideo).toBe(true);
  });

  it('notices completion by itself when the stream goes silent without closing', async () => {
    const unit = falUnit('[fake:stream_silent] Hung stream');
    const { requestId, videoPath } = await makeTake(falProvider({ pollIntervalMs: 60_000, streamCheckMs: 50 }), await jobFor(unit));
    expect(requestsFor(requestId).filter((c) => /\/status(\?|$)/.test(c.path)).length).toBeGreaterThanOrEqual(3);
    expect(fake.submissions.get(unit.shots[0]!.prompt)).toBe(1);
    expect((await probeVideo(videoPath)).hasVideo).toBe(true);
  });

  it('takes COMPLETED however it arrives: without a response_url, on a stream that never closes', async () => {
    const unit = falUnit('[fake:completed_without_urls] Terse fal');
    const { requestId, videoPath } = await makeTake(falProvider({ pollIntervalMs: 60_000, streamCheckMs: 60_000 }), await jobFor(unit));
    expect(fake.jobs.get(requestId)!.streams).toBe(1);
    expect(fake.submissions.get(unit.shots[0]!.prompt)).toBe(1);
    expect((await probeVideo(videoPath)).hasVideo).toBe(true);
  });

  it('heartbeats the queue position while a slow queue drains', async () => {
    const { ctx } = await makeTake(falProvider(), await jobFor(falUnit('[fake:slow_queue_3] Rush hour')));
    const positions = ctx.beats.flatMap((b) => ('queuePosition' in (b as object) ? [(b as { queuePosition: number }).queuePosition] : []));
    // A quiet second repeats the last heartbeat; the positions themselves count down once.
    expect(distinctInOrder(positions)).toEqual([2, 1, 0]);
  });

  it('cancels the fal job when the wait is aborted, and throws the abort', async () => {
    const provider = falProvider();
    const job = await jobFor(falUnit('[fake:slow_queue_1000] Abandoned take'));
    const { requestId } = await provider.submit(job);
    const controller = new AbortController();
    const ctx = recordingContext(controller.signal);
    const beat = ctx.heartbeat;
    ctx.heartbeat = (details) => {
      beat(details);
      if (ctx.beats.length === 2) controller.abort();
    };
    await expect(awaitVideo(provider, job, requestId, join(job.takeDir, 'video.mp4'), ctx)).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.jobs.get(requestId)!.cancelled).toBe(true);
    expect(await readdir(job.takeDir)).toEqual([]);
  });

  it('keeps the fal job when Temporal aborts only to retry elsewhere (worker shutdown)', async () => {
    const provider = falProvider();
    const job = await jobFor(falUnit('[fake:slow_queue_1000] Worker restart'));
    const { requestId } = await provider.submit(job);
    const controller = new AbortController();
    const ctx = recordingContext(controller.signal);
    setTimeout(() => controller.abort(new CancelledFailure('WORKER_SHUTDOWN')), 50);
    await expect(awaitVideo(provider, job, requestId, join(job.takeDir, 'video.mp4'), ctx)).rejects.toBeInstanceOf(CancelledFailure);
    expect(fake.jobs.get(requestId)!.cancelled).toBe(false);
  });

  it('resumes a job by its request id after the wait was cut off, paying once', async () => {
    const provider = falProvider();
    const unit = falUnit('[fake:slow_queue_30] Resumed after a restart');
    const job = await jobFor(unit);
    const { requestId } = await provider.submit(job);
    const videoPath = join(job.takeDir, 'video.mp4');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new CancelledFailure('WORKER_SHUTDOWN')), 50);
    await expect(awaitVideo(provider, job, requestId, videoPath, recordingContext(controller.signal))).rejects.toBeInstanceOf(CancelledFailure);

    await awaitVideo(provider, job, requestId, videoPath, recordingContext());
    expect(fake.jobs.get(requestId)!.streams).toBe(2);
    expect(fake.submissions.get(unit.shots[0]!.prompt)).toBe(1);
    expect((await probeVideo(videoPath)).hasVideo).toBe(true);
  });

  it('never writes the key into take folders or the upload cache', async () => {
    await makeTake(falProvider(), await jobFor(falUnit('Leak check')));
    for (const file of await filesUnder(root)) {
      expect((await readFile(file)).includes(KEY), file).toBe(false);
    }
  });
});

describe("client material on fal's storage", () => {
  /** Submits a take with the unit's reference images and a start frame, caching uploads in `dir`. */
  async function submitWithFrame(prompt: string, dir: string, options: Partial<FalProviderOptions> = {}) {
    const uploadsBefore = fake.uploads.length;
    const job = await jobFor(falUnit(prompt), { startFramePath: join(projectDir, IMAGES.start.file) });
    const { requestId } = await falProvider({ uploadCacheDir: dir, ...options }).submit(job);
    return { uploads: fake.uploads.slice(uploadsBefore), job: fake.jobs.get(requestId)! };
  }

  /** A cache (in `dir`, else a new one) whose entry for `image` is as an earlier upload left it; other entries stay. */
  async function cacheWith(image: string, entry: Record<string, string>, dir?: string): Promise<string> {
    const cacheDir = dir ?? (await mkdtemp(join(root, 'cache-')));
    const file = join(cacheDir, '.fal-uploads.json');
    const cache = dir ? JSON.parse(await readFile(file, 'utf8')) : {};
    const hash = sha256(await readFile(join(projectDir, image)));
    await writeFile(file, JSON.stringify({ ...cache, [hash]: { server: fake.baseUrl, ...entry } }));
    return cacheDir;
  }

  const HOUR_MS = 3_600_000;
  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

  it('uploads every reference image and the start frame private to the account, expiring after a day by default', async () => {
    const { uploads } = await submitWithFrame('Private uploads', await mkdtemp(join(root, 'cache-')));
    expect(uploads.map((u) => u.fileName).sort()).toEqual(['maya_front.png', 'maya_side.png', 'start.png', 'van_front.png']);
    for (const upload of uploads) {
      expect(upload.lifecycle, upload.fileName).toEqual({ expiration_duration_seconds: 86_400, initial_acl: { default: 'forbid' } });
    }
  });

  it('asks fal to delete its video after the configured time, and the uploads after theirs', async () => {
    const lifetimes = { storageLifetimes: { uploadSec: 7_200, videoSec: 900 } };
    const { uploads, job } = await submitWithFrame('Configured lifetimes', await mkdtemp(join(root, 'cache-')), lifetimes);
    expect(new Set(uploads.map((u) => u.lifecycle?.expiration_duration_seconds))).toEqual(new Set([7_200]));
    expect(job.lifecycle).toEqual({ expiration_duration_seconds: 900 });
  });

  it('records in the cache when each upload expires, as the upload asked', async () => {
    const dir = await mkdtemp(join(root, 'cache-'));
    await submitWithFrame('Cache lifetimes', dir, { storageLifetimes: { uploadSec: 3_600 } });
    const entries = Object.values(JSON.parse(await readFile(join(dir, '.fal-uploads.json'), 'utf8'))) as { uploadedAt: string; expiresAt: string }[];
    expect(entries).toHaveLength(4);
    for (const { uploadedAt, expiresAt } of entries) expect(Date.parse(expiresAt) - Date.parse(uploadedAt)).toBe(3_600_000);
  });

  it.each([
    ['past half its life', { uploadedAt: at(-13 * HOUR_MS), expiresAt: at(11 * HOUR_MS) }],
    ['expired', { uploadedAt: at(-25 * HOUR_MS), expiresAt: at(-HOUR_MS) }],
    ['uploaded public, before uploads had a lifetime', { uploadedAt: at(-HOUR_MS) }],
  ])('uploads again rather than hand out a URL %s', async (_case, times) => {
    const staleUrl = 'https://v3b.fal.media/files/b/stale/maya_front.png';
    const dir = await cacheWith(IMAGES.mayaFront.file, { url: staleUrl, ...times });
    const { uploads, job } = await submitWithFrame('Stale cache entry', dir);
    expect(uploads.map((u) => u.fileName)).toContain('maya_front.png');
    expect(JSON.stringify(job.body)).not.toContain(staleUrl);
  });

  it('reuses a URL in the first half of its life', async () => {
    const dir = await mkdtemp(join(root, 'cache-'));
    const first = await submitWithFrame('Live cache entry, first', dir);
    const liveUrl = first.uploads.find((u) => u.fileName === 'maya_front.png')!.fileUrl;
    await cacheWith(IMAGES.mayaFront.file, { url: liveUrl, uploadedAt: at(-11 * HOUR_MS), expiresAt: at(13 * HOUR_MS) }, dir);
    const { uploads, job } = await submitWithFrame('Live cache entry, second', dir);
    expect(uploads).toEqual([]);
    expect(job.body.elements[0].frontal_image_url).toBe(liveUrl);
  });
});

describe('fal storage lifetimes from the environment', () => {
  it('defaults to a day for uploads and six hours for videos; blank is unset', () => {
    expect(falStorageFromEnv({})).toEqual({ uploadSec: 86_400, videoSec: 21_600 });
    expect(falStorageFromEnv({ RECOIL_FAL_STORAGE_EXPIRES_SEC: ' ', RECOIL_FAL_VIDEO_EXPIRES_SEC: '' })).toEqual({ uploadSec: 86_400, videoSec: 21_600 });
  });

  it('reads whole seconds', () => {
    expect(falStorageFromEnv({ RECOIL_FAL_STORAGE_EXPIRES_SEC: '7200', RECOIL_FAL_VIDEO_EXPIRES_SEC: ' 900 ' })).toEqual({ uploadSec: 7_200, videoSec: 900 });
  });

  it.each(['1.5', '-600', 'a day', '1e4', '299'])('refuses %j with exit 2, naming the setting and what it takes', (value) => {
    for (const name of ['RECOIL_FAL_STORAGE_EXPIRES_SEC', 'RECOIL_FAL_VIDEO_EXPIRES_SEC']) {
      const error = (() => {
        try {
          falStorageFromEnv({ [name]: value });
        } catch (err) {
          return err as CliError;
        }
        throw new Error(`${name}=${value} was accepted`);
      })();
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(`${name} is "${value}": set it to a whole number of seconds, at least 300`);
    }
  });
});

describe('the fal fake itself', () => {

  it('answers like fal: status only under the app path, 404 for unknown ids, 400 for an early result', async () => {
    const { requestId } = await falProvider().submit(await jobFor(falUnit('[fake:slow_queue_5] Fidelity')));
    expect((await call('GET', `fal-ai/kling-video/requests/${requestId}/status`)).status).toBe(200);
    // The trap: the endpoint's subpath is not part of the status URL.
    expect((await call('GET', `fal-ai/kling-video/o3/standard/reference-to-video/requests/${requestId}/status`)).status).toBe(404);
    expect((await call('GET', `fal-ai/kling-video/requests/${randomUUID()}/status`)).status).toBe(404);
    expect((await call('GET', `fal-ai/kling-video/requests/${requestId}`)).status).toBe(400);
  });

  it('streams the status as server-sent events: the current status at once, one event per change, closed after COMPLETED', async () => {
    const { requestId } = await falProvider().submit(await jobFor(falUnit('[fake:slow_queue_2] Wire format')));
    const response = await call('GET', `fal-ai/kling-video/requests/${requestId}/status/stream?logs=0`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    const statuses = events.map((e) => JSON.parse(e.slice('data: '.length)) as { status: string; queue_position?: number; request_id: string });
    expect(statuses.map((s) => [s.status, s.queue_position])).toEqual([
      ['IN_QUEUE', 1],
      ['IN_QUEUE', 0],
      ['IN_PROGRESS', undefined],
      ['COMPLETED', undefined],
    ]);
    expect(new Set(statuses.map((s) => s.request_id))).toEqual(new Set([requestId]));
  });
});

describe('the fal fake on the wall clock', () => {
  let clocked: FalFake;
  const LATENCY_MS = 1_000;
  beforeAll(async () => {
    clocked = await startFalFake({ key: KEY, latencyMs: LATENCY_MS, accountConcurrency: 2, keepAliveMs: 100 });
  });
  afterAll(async () => clocked?.close());
  const clockedProvider = (options: Partial<FalProviderOptions> = {}) => falProvider({ baseUrl: clocked.baseUrl, uploadCacheDir: join(root, 'clocked-cache'), ...options });

  it('is known to be finished from the stream, not from a poll', async () => {
    const { videoPath, requestId } = await makeTake(clockedProvider({ pollIntervalMs: 60_000, streamCheckMs: 60_000 }), await jobFor(falUnit('On the clock', { elements: [] })));
    expect(clocked.log.filter((e) => e.requestId === requestId).map((e) => e.event)).toEqual(['submitted', 'started', 'completed']);
    expect(clocked.requests.filter((c) => c.path.includes(`/requests/${requestId}/status?`))).toEqual([]);
    expect((await probeVideo(videoPath)).hasVideo).toBe(true);
  });

  it("queues jobs beyond the account's concurrency, and its log shows how many were in flight", async () => {
    const provider = clockedProvider();
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await provider.submit(await jobFor(falUnit(`Account cap ${n}`, { elements: [] })))).requestId);
    const third = await call('GET', `fal-ai/kling-video/requests/${ids[2]}/status`, clocked);
    expect(await third.json()).toMatchObject({ status: 'IN_QUEUE', queue_position: 0 });
    const stream = await call('GET', `fal-ai/kling-video/requests/${ids[2]}/status/stream`, clocked);
    const text = await stream.text();
    expect(text).toContain(': keep-alive');
    expect(text.match(/^data: .*$/gm)!.map((line) => (JSON.parse(line.slice(6)) as { status: string }).status)).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    const mine = new Set(ids);
    const events = clocked.log.filter((e) => mine.has(e.requestId));
    const startOfThird = events.find((e) => e.requestId === ids[2] && e.event === 'started')!;
    // The third waited for a free place: one of the first two (or both, finishing together) completed first.
    expect(events.filter((e) => e.event === 'completed' && e.at <= startOfThird.at).length).toBeGreaterThanOrEqual(1);
    expect(mostRunningAtOnce(events)).toBe(2);
    expect(clocked.maxInFlight((id) => mine.has(id))).toBe(3);
    expect(clocked.maxInFlight((id) => id === ids[0])).toBe(1);
  });
});

describe("fal's billing records (Platform API billing events)", () => {
  const ADMIN = 'fal-admin-key-9d1c:never-print-this-either';
  let billing: FalFake;
  beforeAll(async () => {
    billing = await startFalFake({ key: KEY, adminKey: ADMIN, billingPageSize: 2 });
  });
  afterAll(async () => billing?.close());
  const endpoint = 'fal-ai/kling-video/o3/standard/reference-to-video';

  it('lists every billed job of an endpoint since a moment, across pages, with its seconds and cost', async () => {
    const since = new Date(Date.now() - 1_000);
    const provider = falProvider({ baseUrl: billing.baseUrl, uploadCacheDir: join(root, 'billing-cache') });
    for (const seconds of [6, 7, 8]) await makeTake(provider, await jobFor(falUnit(`Billed ${seconds} s`, { elements: [], durations: [3, seconds - 3] })));
    const jobs = await listBilledJobs({ adminKey: ADMIN, fetchFn: redirectingFetch(billing.baseUrl) }, endpoint, since);
    expect(jobs.map((j) => [j.outputUnits, j.costUsd])).toEqual([[6, 0.504], [7, 0.588], [8, 0.672]].map(([s, usd]) => [s, expect.closeTo(usd!, 6)]));
    expect(jobs.map((j) => j.requestId)).toEqual(billing.billingEvents.map((e) => e.request_id));
    // The answer came in pages of two.
    expect(billing.requests.filter((r) => r.path.startsWith('/api.fal.ai/v1/models/billing-events')).length).toBe(2);
    expect(await listBilledJobs({ adminKey: ADMIN, fetchFn: redirectingFetch(billing.baseUrl) }, endpoint, new Date(Date.now() + 60_000))).toEqual([]);
  });

  it('names FAL_ADMIN_KEY, never the key, when fal refuses it', async () => {
    const failure = await listBilledJobs({ adminKey: KEY, fetchFn: redirectingFetch(billing.baseUrl) }, endpoint, new Date()).catch((err: Error) => err);
    expect(String(failure)).toMatch(/check FAL_ADMIN_KEY/);
    expect(String(failure)).not.toContain(KEY);
  });

  it('reads fal\'s price for every endpoint the price table holds, across pages', async () => {
    const provider = falProvider({ baseUrl: billing.baseUrl, uploadCacheDir: join(root, 'pricing-cache'), adminKey: ADMIN });
    const prices = await provider.records!.prices();
    expect(prices.map((p) => p.endpoint).sort()).toEqual(['fal-ai/kling-video/o3/pro/reference-to-video', endpoint]);
    expect(prices.find((p) => p.endpoint === endpoint)).toEqual({ endpoint, unitPrice: 0.084, unit: 'seconds', currency: 'USD' });
    expect(billing.requests.filter((r) => r.path.startsWith('/api.fal.ai/v1/models/pricing')).length).toBe(2);
  });
});

/** The most jobs the fake's log shows started and not yet completed at one moment: the account's real cap. */
function mostRunningAtOnce(events: { requestId: string; event: string }[]): number {
  const running = new Set<string>();
  let most = 0;
  for (const { requestId, event } of events) {
    if (event === 'started') running.add(requestId);
    else if (event !== 'submitted') running.delete(requestId);
    most = Math.max(most, running.size);
  }
  return most;
}

describe('fal error mapping', () => {
  const apiError = (status: number, body: unknown) => new ApiError({ message: 'upstream text', status, body });

  it.each([
    [429, 'ProviderUnavailable', false],
    [500, 'ProviderUnavailable', false],
    [504, 'ProviderUnavailable', false],
    [401, 'Auth', true],
    [403, 'Auth', true],
    [404, 'ProviderRejected', true],
  ])('HTTP %i → %s (nonRetryable: %s)', (status, type, nonRetryable) => {
    const failure = toFalFailure(apiError(status, { detail: 'said by fal' }), KEY);
    expect(failure).toMatchObject({ type, nonRetryable });
  });

  it('treats a connection failure as a retryable outage, naming the cause', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(toFalFailure(refused, KEY)).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false, message: 'could not reach fal (ECONNREFUSED)' });
  });

  it('scrubs the key from text fal echoes back', () => {
    const failure = toFalFailure(apiError(400, { detail: `bad header Key ${KEY}` }), KEY);
    expect(failure.message).not.toContain(KEY);
    expect(failure.message).toContain('[FAL_KEY]');
  });

  it('passes other errors through untouched', () => {
    const bug = new RangeError('a bug of ours');
    expect(toFalFailure(bug, KEY)).toBe(bug);
  });
});
