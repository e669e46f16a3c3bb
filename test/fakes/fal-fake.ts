/**
 * A faithful fake of fal.ai's queue and storage APIs for offline tests.
 *
 *   const fake = await startFalFake({ key: 'my-test-key' });
 *   createFalProvider({ credentials: 'my-test-key', baseUrl: fake.baseUrl, ... });
 *   ...
 *   await fake.close();
 *
 * The provider's redirecting fetch turns `https://<host>/<path>` into `<baseUrl>/<host>/<path>`, so
 * the fake serves fal's real hosts as first path segments: `rest.fal.ai` (upload initiation),
 * `queue.fal.run` (submit, status, result, cancel) and `v3b.fal.media` (the CDN: upload PUTs,
 * input images and finished videos). Every URL it hands out is a fal-looking URL on those hosts.
 *
 * Queue calls and upload initiation need `Authorization: Key <key>` (else 401 `{detail: 'Unauthorized'}`).
 * A submitted body is validated like Kling O3 reference-to-video: a bad body is still accepted
 * (and counted: fal may charge for it) and its 422 comes back from the result, as a refusal would.
 * A job's progress has two clocks. By default each status poll advances it: IN_QUEUE (queuePolls
 * times) → IN_PROGRESS (once) → COMPLETED, and a status stream advances it one step every
 * `streamStepMs`, so a test sees the same sequence of statuses either way. With `latencyMs`, the
 * fake runs on the wall clock like fal: a job waits IN_QUEUE while `accountConcurrency` others are
 * IN_PROGRESS, runs for latencyMs, then is COMPLETED; polls and streams only read it. A job nobody
 * polls or follows (its reply was lost) finishes by itself on either clock, as it would at fal.
 * The status stream (`GET …/requests/{id}/status/stream`) is server-sent events, as fal serves it:
 * the current status at once, an event per change, a `:` comment line every `keepAliveMs`, and the
 * connection closed after the COMPLETED event.
 * The result's video is a real H.264 MP4 of the requested duration at the ratio's Kling resolution
 * (with an AAC track when generate_audio is true), rendered once per (duration, ratio, audio).
 *
 * Scenarios, chosen by a marker anywhere in the FIRST shot's prompt, or for every later submission
 * with `setScenario({...})` (markers win; `setScenario(undefined)` resets):
 *   [fake:content_policy]   status COMPLETED, then the result is a 422 content_policy_violation
 *   [fake:invalid]          the result is a 422 on multi_prompt[0].prompt
 *   [fake:submit_429x2]     the first 2 submits of this prompt answer 429 (any status, any count: submit_503x1)
 *   [fake:accepted_but_502] the first submit is queued and paid for, but answers 502 (a lost reply)
 *   [fake:accepted_but_cut] the first submit is queued and paid for, then the reply is cut off mid-body
 *   [fake:status_500_once]  the job's first status poll answers 500
 *   [fake:slow_queue_5]     the job answers IN_QUEUE for 5 polls (queue_position counting down)
 *   [fake:stream_cut_once]  the job's first status stream sends one event, then the connection drops
 *   [fake:stream_silent]    the job's status streams send headers, then nothing, and never close
 *   [fake:video_expired]    the result names a video fal's CDN no longer has (404): its lifetime ran out
 *
 * fal's records: every job that completes without an error is billed (`billingEvents`), and the
 * Platform API's `GET api.fal.ai/v1/models/billing-events` serves the records, paged, to the admin
 * key only (`adminKey`), `billingLagMs` after the job completed, less the account's `percentDiscount`;
 * `GET api.fal.ai/v1/models/pricing?endpoint_id=…` answers the account's `unitPrices`, paged by the
 * cursor like every Platform API list. Two faults a real network makes:
 *   hangNextSubmissions(n)  the next n submissions are accepted, run and billed, and never answered
 *   loseNextSubmissions(n)  the next n submissions never reach fal: no job, and never answered
 *
 * What tests read:
 *   submissions  accepted submissions (those given a request id) per first-shot prompt: assert nothing was paid twice
 *   jobs         request id → { endpoint, body, lifecycle (for the job's outputs), polls, cancelled, ... }
 *   uploads      every file PUT to the fake CDN, in order, with its bytes, URL and the lifecycle its initiation asked for
 *   requests     every HTTP request answered in full: method, path (host segment first) and the status
 *                (a status stream counts once it ends; `jobs.get(id).streams` counts its connections)
 *   log          every job's submitted / started / completed / cancelled moments, in order
 *   maxInFlight  the most jobs ever submitted and not yet completed or cancelled at one moment
 *   billingEvents  what fal billed, one record per job, as the Platform API serves them
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { ffmpegPath } from '../../src/activities/media/binaries.js';
import { runProcess } from '../../src/activities/media/run-process.js';
import { ASPECT_RATIOS, videoResolution, type AspectRatio } from '../../src/domain/aspect-ratio.js';

export interface FakeScenario {
  contentPolicy: boolean;
  invalid: boolean;
  /** The first `times` submits of a prompt fail with `status` before one is accepted. */
  submitFailures: { status: number; times: number } | null;
  statusErrorOnce: boolean;
  /** The first submit of a prompt is queued (and paid for) but its reply is lost: the caller sees a 502. */
  acceptedBut502: boolean;
  /** The first submit of a prompt is queued (and paid for), then the connection drops mid-reply. */
  acceptedButCut: boolean;
  /** Status polls answered IN_QUEUE before the job starts. */
  queuePolls: number;
  streamCutOnce: boolean;
  streamSilent: boolean;
  /** COMPLETED arrives without the queue urls (the SDK's isQueueStatus refuses it), and the stream stays open after it. */
  completedWithoutUrls: boolean;
  /** The finished video is gone from the CDN before anyone fetched it. */
  videoExpired: boolean;
}

export interface FalFakeOptions {
  key?: string;
  /** Run jobs on the wall clock: each takes this long once it starts. */
  latencyMs?: number;
  /** With latencyMs: how many jobs the account runs at once; the rest wait IN_QUEUE (fal's per-account cap). */
  accountConcurrency?: number;
  /** Without latencyMs: how often a status stream advances its job by one step. */
  streamStepMs?: number;
  /** How often an idle status stream sends a comment line (fal: every 15 s). */
  keepAliveMs?: number;
  /** The admin key the Platform API (billing events) accepts. */
  adminKey?: string;
  /** How long after a job completes its billing record appears. */
  billingLagMs?: number;
  /** The most billing events one page holds (fal: up to 100). */
  billingPageSize?: number;
  /** The account's discount, in percent: billed costs come in under the list price (the price table's). */
  percentDiscount?: number;
  /** Unit prices per second the pricing API answers and bills at, per endpoint (default: Kling O3 standard's list price for every endpoint). */
  unitPrices?: Record<string, { silent: number; audio: number }>;
}

/** One record of fal's billing events, as the Platform API serves it. */
export interface FakeBillingEvent {
  request_id: string;
  endpoint_id: string;
  timestamp: string;
  output_units: number;
  unit_price: number;
  percent_discount: number;
  cost_estimate_nano_usd: number;
}

type QueueState = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

export interface FakeJobEvent {
  /** When, in epoch milliseconds. */
  at: number;
  requestId: string;
  event: 'submitted' | 'started' | 'completed' | 'cancelled';
}

export interface FakeJob {
  requestId: string;
  /** e.g. `fal-ai/kling-video/o3/pro/reference-to-video` */
  endpoint: string;
  body: any;
  /** The submit's `x-fal-object-lifecycle-preference` header, parsed: what the job's outputs should get. */
  lifecycle: FakeLifecycle | undefined;
  scenario: FakeScenario;
  polls: number;
  cancelled: boolean;
  /** The 422 body the result will answer with, if any. */
  error?: { detail: FieldError[] };
  state: QueueState;
  queuePosition: number;
  streams: number;
}

/** fal's object lifecycle preference, as the SDK sends it (`StorageSettings` in snake case). */
export interface FakeLifecycle {
  expiration_duration_seconds?: number;
  initial_acl?: { default?: string; rules?: { user: string; decision: string }[] };
}

export interface FakeUpload {
  fileUrl: string;
  fileName: string;
  contentType: string;
  bytes: Buffer;
  /** The upload initiation's `x-fal-object-lifecycle` header, parsed. */
  lifecycle: FakeLifecycle | undefined;
}

export interface FakeRequest {
  method: string;
  path: string;
  status: number;
}

export interface FalFake {
  baseUrl: string;
  submissions: Map<string, number>;
  jobs: Map<string, FakeJob>;
  uploads: FakeUpload[];
  requests: FakeRequest[];
  log: FakeJobEvent[];
  /** The most jobs in flight at once, counting only jobs whose request id `counts` (all by default). */
  maxInFlight(counts?: (requestId: string) => boolean): number;
  billingEvents: FakeBillingEvent[];
  /** The next n submissions are accepted (run and billed) but their answers never come. */
  hangNextSubmissions(n: number): void;
  /** The next n submissions never reach fal (no job), and their answers never come. */
  loseNextSubmissions(n: number): void;
  setScenario(scenario: Partial<FakeScenario> | undefined): void;
  close(): Promise<void>;
}

interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

type CdnFile = { kind: 'upload'; upload: FakeUpload } | { kind: 'video'; render: Promise<string> };

const APP = 'fal-ai/kling-video';
const QUEUE = 'https://queue.fal.run';
const CDN = 'https://v3b.fal.media/files/b';
const DEFAULT_SCENARIO: FakeScenario = {
  contentPolicy: false,
  invalid: false,
  submitFailures: null,
  statusErrorOnce: false,
  acceptedBut502: false,
  acceptedButCut: false,
  queuePolls: 1,
  streamCutOnce: false,
  streamSilent: false,
  completedWithoutUrls: false,
  videoExpired: false,
};
const DEFAULT_STREAM_STEP_MS = 10;
/** Without latencyMs: a job nobody polls or follows finishes on its own after this. */
const UNWATCHED_RUN_MS = 1_000;
const FAL_KEEP_ALIVE_MS = 15_000;
const STREAM_CUT_DELAY_MS = 50;
const MAX_SHOTS = 6;
const MIN_SHOT_SECONDS = 3;
const MAX_SECONDS = 15;
/** Elements and reference images together, as fal's schema for O3 reference-to-video states them. */
const MAX_REFERENCES = 7;
const MAX_REFERENCES_WITH_VIDEO = 4;
/** Kling O3 standard without audio, per second of video; with audio, per fal's pricing page. */
const UNIT_PRICE = { silent: 0.084, audio: 0.112 };

export async function startFalFake(options: FalFakeOptions = {}): Promise<FalFake> {
  const key = options.key ?? 'fake-fal-key';
  const clock = options.latencyMs === undefined ? undefined : { latencyMs: options.latencyMs, concurrency: options.accountConcurrency ?? Infinity };
  const streamStepMs = options.streamStepMs ?? DEFAULT_STREAM_STEP_MS;
  const keepAliveMs = options.keepAliveMs ?? FAL_KEEP_ALIVE_MS;
  const log: FakeJobEvent[] = [];
  const watchers = new Map<string, Set<() => void>>();
  const workDir = await mkdtemp(join(tmpdir(), 'recoil-fal-fake-'));
  const submissions = new Map<string, number>();
  const failedSubmits = new Map<string, number>();
  const jobs = new Map<string, FakeJob>();
  const uploads: FakeUpload[] = [];
  const requests: FakeRequest[] = [];
  const cdn = new Map<string, CdnFile>();
  const pendingUploads = new Map<string, { fileName: string; contentType: string; lifecycle: FakeLifecycle | undefined }>();
  const renders = new Map<string, Promise<string>>();
  let baseScenario: Partial<FakeScenario> = {};
  const adminKey = options.adminKey ?? 'fake-fal-admin-key';
  const billingLagMs = options.billingLagMs ?? 0;
  const billingEvents: FakeBillingEvent[] = [];
  const unitPriceOf = (endpoint: string) => options.unitPrices?.[endpoint] ?? UNIT_PRICE;
  /** fal bills a video by its seconds at the endpoint's unit price, less the account's discount. */
  const billingEventOf = (job: FakeJob): FakeBillingEvent => {
    const { seconds, audio } = videoRequest(job.body);
    const price = unitPriceOf(job.endpoint);
    const unitPrice = audio ? price.audio : price.silent;
    const percentDiscount = options.percentDiscount ?? 0;
    return {
      request_id: job.requestId,
      endpoint_id: job.endpoint,
      timestamp: new Date().toISOString(),
      output_units: seconds,
      unit_price: unitPrice,
      percent_discount: percentDiscount,
      cost_estimate_nano_usd: Math.round(seconds * unitPrice * (1 - percentDiscount / 100) * 1e9),
    };
  };
  const hungReplies = new Set<() => void>();
  let toHang = 0;
  let toLose = 0;

  const waiting: FakeJob[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const openStreams = new Set<() => void>();
  let running = 0;

  const record = (job: FakeJob, event: FakeJobEvent['event']) => log.push({ at: Date.now(), requestId: job.requestId, event });
  const notify = (job: FakeJob) => watchers.get(job.requestId)?.forEach((watcher) => watcher());
  const moveTo = (job: FakeJob, state: QueueState) => {
    if (job.state === state) return;
    job.state = state;
    record(job, state === 'IN_PROGRESS' ? 'started' : 'completed');
    if (state === 'COMPLETED' && !job.error) later(billingLagMs, () => billingEvents.push(billingEventOf(job)));
    notify(job);
  };
  /** Holds a request open without answering, as a lost reply looks to the caller. */
  const neverAnswer = (reply: FastifyReply) => {
    reply.hijack();
    const drop = () => reply.raw.destroy();
    hungReplies.add(drop);
    reply.raw.on('close', () => hungReplies.delete(drop));
    return reply;
  };
  /** The poll-driven clock: one step per status poll (or per stream step). */
  const step = (job: FakeJob) => {
    job.polls += 1;
    const { queuePolls } = job.scenario;
    if (job.polls <= queuePolls) {
      job.queuePosition = queuePolls - job.polls;
      notify(job);
    } else moveTo(job, job.polls === queuePolls + 1 ? 'IN_PROGRESS' : 'COMPLETED');
  };
  const later = (ms: number, task: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, ms);
    timers.add(timer);
  };
  /** The wall clock: start queued jobs while the account has room, finish each latencyMs later. */
  const runWaitingJobs = () => {
    if (!clock) return;
    while (running < clock.concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      running += 1;
      moveTo(job, 'IN_PROGRESS');
      later(clock.latencyMs, () => {
        running -= 1;
        moveTo(job, 'COMPLETED');
        runWaitingJobs();
      });
    }
    waiting.forEach((job, position) => {
      if (job.queuePosition === position) return;
      job.queuePosition = position;
      notify(job);
    });
  };
  const watch = (job: FakeJob, watcher: () => void) => {
    const set = watchers.get(job.requestId) ?? new Set();
    watchers.set(job.requestId, set.add(watcher));
    return () => set.delete(watcher);
  };

  const app = Fastify({ bodyLimit: 100 * 1024 * 1024 });
  // The SDK sends `Content-Type: application/json` on bodiless GETs and PUTs, which fal accepts.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    try {
      done(null, text === '' ? undefined : JSON.parse(text as string));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, bytes, done) => done(null, bytes));
  app.addHook('onResponse', async (req, reply) => {
    requests.push({ method: req.method, path: req.url, status: reply.statusCode });
  });

  const authorized = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (req.headers.authorization === `Key ${key}`) return true;
    void reply.code(401).send({ detail: 'Unauthorized' });
    return false;
  };
  const cdnUrl = (id: string, name: string) => `${CDN}/${id}/${encodeURIComponent(name)}`;
  const isServedUrl = (url: unknown) => typeof url === 'string' && url.startsWith(`${CDN}/`) && cdn.has(url.slice(CDN.length + 1));
  const renderVideo = (seconds: number, ratio: AspectRatio, audio: boolean): Promise<string> => {
    const id = `${seconds}s-${ratio.replace(':', 'x')}-${audio ? 'audio' : 'silent'}`;
    if (!renders.has(id)) renders.set(id, renderTestVideo(join(workDir, `${id}.mp4`), seconds, ratio, audio));
    return renders.get(id)!;
  };

  app.post('/rest.fal.ai/storage/upload/initiate', async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const { content_type: contentType, file_name: fileName } = (req.body ?? {}) as { content_type?: string; file_name?: string };
    const id = randomUUID();
    const name = fileName || 'upload.bin';
    const lifecycle = lifecycleHeader(req, 'x-fal-object-lifecycle');
    pendingUploads.set(id, { fileName: name, contentType: contentType || 'application/octet-stream', lifecycle });
    return { upload_url: `${cdnUrl(id, name)}?upload_token=${id}`, file_url: cdnUrl(id, name) };
  });

  app.put('/v3b.fal.media/files/b/:id/:name', async (req, reply) => {
    const { id, name } = req.params as { id: string; name: string };
    const pending = pendingUploads.get(id);
    if (!pending || (req.query as { upload_token?: string }).upload_token !== id) return reply.code(403).send({ detail: 'Invalid upload URL' });
    pendingUploads.delete(id);
    const upload: FakeUpload = { fileUrl: cdnUrl(id, name), ...pending, bytes: Buffer.from(req.body as Buffer) };
    uploads.push(upload);
    cdn.set(`${id}/${encodeURIComponent(name)}`, { kind: 'upload', upload });
    return reply.code(200).send({ ok: true });
  });

  app.get('/v3b.fal.media/files/b/:id/:name', async (req, reply) => {
    const { id, name } = req.params as { id: string; name: string };
    const file = cdn.get(`${id}/${encodeURIComponent(name)}`);
    if (!file) return reply.code(404).send({ detail: 'Not found' });
    if (file.kind === 'upload') return reply.type(file.upload.contentType).send(file.upload.bytes);
    return reply.type('video/mp4').send(createReadStream(await file.render));
  });

  app.post('/queue.fal.run/fal-ai/kling-video/o3/:tier/reference-to-video', async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const { tier } = req.params as { tier: string };
    if (tier !== 'standard' && tier !== 'pro') return reply.code(404).send({ detail: `Application not found: ${APP}/o3/${tier}` });
    const body = (req.body ?? {}) as any;
    const prompt = firstShotPrompt(body);
    const markers = scenarioMarkers(prompt);
    if (markers instanceof Error) return reply.code(400).send({ detail: markers.message });
    const scenario: FakeScenario = { ...DEFAULT_SCENARIO, ...baseScenario, ...markers };

    if (toLose > 0) {
      toLose -= 1;
      return neverAnswer(reply);
    }
    const failures = scenario.submitFailures;
    const failed = failedSubmits.get(prompt) ?? 0;
    if (failures && failed < failures.times) {
      failedSubmits.set(prompt, failed + 1);
      return reply.code(failures.status).send({ detail: failures.status === 429 ? 'Too many requests' : 'Service unavailable' });
    }

    const requestId = randomUUID();
    const problems = scenario.invalid ? [forcedInvalid()] : validateKlingBody(body, isServedUrl);
    const error = problems.length > 0 ? { detail: problems } : scenario.contentPolicy ? { detail: [contentPolicyRefusal()] } : undefined;
    const job: FakeJob = {
      requestId,
      endpoint: `${APP}/o3/${tier}/reference-to-video`,
      body,
      lifecycle: lifecycleHeader(req, 'x-fal-object-lifecycle-preference'),
      scenario,
      polls: 0,
      cancelled: false,
      ...(error ? { error } : {}),
      state: 'IN_QUEUE',
      queuePosition: clock ? waiting.length : scenario.queuePolls,
      streams: 0,
    };
    jobs.set(requestId, job);
    record(job, 'submitted');
    if (clock) {
      waiting.push(job);
      runWaitingJobs();
    } else {
      // fal runs a job whether or not anyone asks about it (a lost reply, a crashed caller).
      later(UNWATCHED_RUN_MS, () => {
        if (job.polls === 0 && job.streams === 0 && !job.cancelled) moveTo(job, 'COMPLETED');
      });
    }
    const accepted = (submissions.get(prompt) ?? 0) + 1;
    submissions.set(prompt, accepted);
    if (toHang > 0) {
      toHang -= 1;
      return neverAnswer(reply);
    }
    if (scenario.acceptedBut502 && accepted === 1) return reply.code(502).type('text/html').send('<html><body>502 Bad Gateway</body></html>');
    if (scenario.acceptedButCut && accepted === 1) {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
      reply.raw.write('{"status": "IN_QUEUE", "request_id": ');
      reply.raw.destroy();
      return reply;
    }
    return { status: 'IN_QUEUE', request_id: requestId, queue_position: job.queuePosition, ...queueUrls(requestId) };
  });

  app.get('/queue.fal.run/:owner/:alias/requests/:id/status', async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const job = jobOf(req);
    if (!job) return reply.code(404).send({ detail: 'Request not found' });
    if (job.scenario.statusErrorOnce) {
      job.scenario = { ...job.scenario, statusErrorOnce: false };
      return reply.code(500).send({ detail: 'Internal server error', error_type: 'internal_error' });
    }
    if (!clock) step(job);
    return statusOf(job);
  });

  app.get('/queue.fal.run/:owner/:alias/requests/:id/status/stream', async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const job = jobOf(req);
    if (!job) return reply.code(404).send({ detail: 'Request not found' });
    job.streams += 1;
    const cutAfterFirstEvent = job.scenario.streamCutOnce && job.streams === 1;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-fal-request-id': job.requestId });
    const stopTimers: (() => void)[] = [];
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(task, ms);
      stopTimers.push(() => clearInterval(timer));
    };
    const close = () => {
      stopTimers.forEach((stop) => stop());
      openStreams.delete(close);
      res.destroy();
    };
    openStreams.add(close);
    res.on('close', close);
    every(keepAliveMs, () => res.write(': keep-alive\n\n'));
    if (job.scenario.streamSilent) return reply;

    let lastSent = '';
    const sendIfChanged = () => {
      const status = statusOf(job);
      const text = JSON.stringify(status);
      if (text === lastSent) return;
      lastSent = text;
      res.write(`data: ${text}\n\n`);
      // Dropped once the event is on the wire, as a proxy or a network cut would.
      if (job.scenario.completedWithoutUrls) return;
      if (cutAfterFirstEvent || status.status === 'COMPLETED') stopTimers.forEach((stop) => stop());
      if (cutAfterFirstEvent) later(STREAM_CUT_DELAY_MS, close);
      else if (status.status === 'COMPLETED') res.end();
    };
    if (clock) stopTimers.push(watch(job, sendIfChanged));
    else {
      step(job);
      every(streamStepMs, () => {
        step(job);
        sendIfChanged();
      });
    }
    sendIfChanged();
    return reply;
  });

  app.get('/queue.fal.run/:owner/:alias/requests/:id', async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const job = jobOf(req);
    if (!job) return reply.code(404).send({ detail: 'Request not found' });
    if (job.state !== 'COMPLETED') return reply.code(400).send({ detail: 'Request is still in progress' });
    void reply.header('x-fal-request-id', job.requestId);
    if (job.error) return reply.code(422).send(job.error);
    const { seconds, ratio, audio } = videoRequest(job.body);
    const render = renderVideo(seconds, ratio, audio);
    if (!job.scenario.videoExpired) cdn.set(`${job.requestId}/output.mp4`, { kind: 'video', render });
    const { size } = await stat(await render);
    return { video: { url: cdnUrl(job.requestId, 'output.mp4'), content_type: 'video/mp4', file_name: 'output.mp4', file_size: size } };
  });

  app.put('/queue.fal.run/:owner/:alias/requests/:id/cancel', async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const job = jobOf(req);
    if (!job) return reply.code(404).send({ detail: 'Request not found' });
    if (job.state === 'COMPLETED') return reply.code(400).send({ status: 'ALREADY_COMPLETED' });
    job.cancelled = true;
    record(job, 'cancelled');
    const queued = waiting.indexOf(job);
    if (queued >= 0) {
      waiting.splice(queued, 1);
      runWaitingJobs();
    }
    return reply.code(202).send({ status: 'CANCELLATION_REQUESTED' });
  });

  app.get('/api.fal.ai/v1/models/billing-events', async (req, reply) => {
    if (req.headers.authorization !== `Key ${adminKey}`) return reply.code(403).send({ detail: 'Admin key required' });
    const query = req.query as { endpoint_id?: string; start?: string; end?: string; limit?: string; cursor?: string };
    const start = query.start ? Date.parse(query.start) : Date.now() - 24 * 3_600_000;
    const end = query.end ? Date.parse(query.end) : Infinity;
    const matching = billingEvents.filter((e) => {
      const at = Date.parse(e.timestamp);
      return (!query.endpoint_id || e.endpoint_id === query.endpoint_id) && at >= start && at < end;
    });
    const { items, ...paging } = pageOf(matching, query, options.billingPageSize ?? 100);
    return { billing_events: items, ...paging };
  });

  // fal's pricing API: the account's unit price per endpoint (any key of the account may read it).
  app.get('/api.fal.ai/v1/models/pricing', async (req, reply) => {
    if (req.headers.authorization !== `Key ${adminKey}` && req.headers.authorization !== `Key ${key}`) return reply.code(401).send({ detail: 'Invalid key' });
    const query = req.query as { endpoint_id?: string | string[]; limit?: string; cursor?: string };
    const asked = [query.endpoint_id ?? []].flat().flatMap((ids) => ids.split(',')).filter(Boolean);
    if (asked.length === 0 || asked.length > 50) return reply.code(422).send({ detail: 'endpoint_id: give 1 to 50 endpoint ids' });
    const prices = asked.map((endpoint_id) => ({ endpoint_id, unit_price: unitPriceOf(endpoint_id).silent, unit: 'seconds', currency: 'USD' }));
    // One price a page, so a reader that ignores the cursor misses some.
    const { items, ...paging } = pageOf(prices, query, 1);
    return { prices: items, ...paging };
  });

  /** Status, result and cancel URLs name only the app (`fal-ai/kling-video`), never the endpoint's subpath. */
  function jobOf(req: FastifyRequest): FakeJob | undefined {
    const { owner, alias, id } = req.params as { owner: string; alias: string; id: string };
    return `${owner}/${alias}` === APP ? jobs.get(id) : undefined;
  }

  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    submissions,
    jobs,
    uploads,
    requests,
    log,
    maxInFlight(counts = () => true) {
      const inFlight = new Set<string>();
      let most = 0;
      for (const { requestId, event } of log) {
        if (!counts(requestId)) continue;
        if (event === 'submitted') inFlight.add(requestId);
        else if (event !== 'started') inFlight.delete(requestId);
        most = Math.max(most, inFlight.size);
      }
      return most;
    },
    billingEvents,
    hangNextSubmissions(n) {
      toHang = n;
    },
    loseNextSubmissions(n) {
      toLose = n;
    },
    setScenario(scenario) {
      baseScenario = scenario ?? {};
    },
    async close() {
      timers.forEach((timer) => clearTimeout(timer));
      hungReplies.forEach((drop) => drop());
      openStreams.forEach((close) => close());
      await app.close();
      await Promise.allSettled(renders.values());
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Uploads and submissions name the header differently; both carry the same JSON. */
function lifecycleHeader(req: FastifyRequest, name: string): FakeLifecycle | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? (JSON.parse(value) as FakeLifecycle) : undefined;
}

function queueUrls(requestId: string) {
  const base = `${QUEUE}/${APP}/requests/${requestId}`;
  return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
}

function statusOf(job: FakeJob) {
  const common = { request_id: job.requestId, ...queueUrls(job.requestId) };
  if (job.state === 'IN_QUEUE') return { status: 'IN_QUEUE', queue_position: job.queuePosition, ...common };
  if (job.state === 'IN_PROGRESS') return { status: 'IN_PROGRESS', logs: [], ...common };
  if (job.scenario.completedWithoutUrls) return { status: 'COMPLETED', request_id: job.requestId };
  return { status: 'COMPLETED', logs: [], metrics: { inference_time: 93.4 }, ...common };
}

/** One page of a cursor-paged Platform API answer: the cursor is the offset of the next item. */
function pageOf<T>(all: readonly T[], query: { limit?: string; cursor?: string }, pageSize: number): { items: T[]; next_cursor: string | null; has_more: boolean } {
  const limit = Math.min(Number(query.limit ?? 50), pageSize);
  const from = Number(query.cursor ?? 0);
  const more = from + limit < all.length;
  return { items: all.slice(from, from + limit), next_cursor: more ? String(from + limit) : null, has_more: more };
}

function firstShotPrompt(body: any): string {
  const first = Array.isArray(body?.multi_prompt) ? body.multi_prompt[0]?.prompt : body?.prompt;
  return typeof first === 'string' ? first : '';
}

function scenarioMarkers(prompt: string): Partial<FakeScenario> | Error {
  const scenario: Partial<FakeScenario> = {};
  for (const [, marker] of prompt.matchAll(/\[fake:([a-z0-9_]+)\]/g)) {
    const submitFailures = /^submit_(\d{3})x(\d+)$/.exec(marker!);
    const slowQueue = /^slow_queue_(\d+)$/.exec(marker!);
    if (marker === 'content_policy') scenario.contentPolicy = true;
    else if (marker === 'invalid') scenario.invalid = true;
    else if (marker === 'status_500_once') scenario.statusErrorOnce = true;
    else if (marker === 'accepted_but_502') scenario.acceptedBut502 = true;
    else if (marker === 'accepted_but_cut') scenario.acceptedButCut = true;
    else if (marker === 'stream_cut_once') scenario.streamCutOnce = true;
    else if (marker === 'stream_silent') scenario.streamSilent = true;
    else if (marker === 'completed_without_urls') scenario.completedWithoutUrls = true;
    else if (marker === 'video_expired') scenario.videoExpired = true;
    else if (submitFailures) scenario.submitFailures = { status: Number(submitFailures[1]), times: Number(submitFailures[2]) };
    else if (slowQueue) scenario.queuePolls = Number(slowQueue[1]);
    else return new Error(`unknown fake scenario marker [fake:${marker}]`);
  }
  return scenario;
}

function contentPolicyRefusal(): FieldError {
  return { loc: ['body', 'prompt'], msg: 'The content could not be processed because it was flagged by a content checker', type: 'content_policy_violation' };
}

function forcedInvalid(): FieldError {
  return { loc: ['body', 'multi_prompt', 0, 'prompt'], msg: 'String should have at most 2500 characters', type: 'string_too_long' };
}

function videoRequest(body: any): { seconds: number; ratio: AspectRatio; audio: boolean } {
  return { seconds: Number(body.duration ?? 5), ratio: body.aspect_ratio ?? '16:9', audio: body.generate_audio === true };
}

/** Kling O3 reference-to-video's schema, with the multi-shot limits fal documents elsewhere. */
function validateKlingBody(body: any, isServedUrl: (url: unknown) => boolean): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (loc: (string | number)[], msg: string, type = 'value_error') => errors.push({ loc: ['body', ...loc], msg, type });
  const durationValue = (value: unknown, loc: (string | number)[], min: number): number | undefined => {
    if (typeof value !== 'string') return void fail(loc, 'Input should be a valid string', 'string_type');
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > MAX_SECONDS) return void fail(loc, `Input should be a whole number of seconds from ${min} to ${MAX_SECONDS}`, 'literal_error');
    return n;
  };
  const checkUrl = (value: unknown, loc: (string | number)[]) => {
    if (!isServedUrl(value)) fail(loc, 'Failed to download the file: the URL is not reachable', 'file_download_error');
  };

  const hasPrompt = body.prompt !== undefined;
  const shots = body.multi_prompt;
  if (hasPrompt === (shots !== undefined)) fail([], 'Either prompt or multi_prompt must be provided, but not both');
  let shotSum = 0;
  if (shots !== undefined) {
    if (!Array.isArray(shots) || shots.length === 0 || shots.length > MAX_SHOTS) fail(['multi_prompt'], `Provide 1 to ${MAX_SHOTS} shots`);
    else {
      shots.forEach((shot: any, i: number) => {
        if (typeof shot?.prompt !== 'string' || shot.prompt.trim() === '') fail(['multi_prompt', i, 'prompt'], 'Field required', 'missing');
        shotSum += durationValue(shot?.duration ?? '5', ['multi_prompt', i, 'duration'], MIN_SHOT_SECONDS) ?? 0;
      });
    }
    if (body.shot_type !== 'customize') fail(['shot_type'], "shot_type must be 'customize' with multi_prompt");
  }
  const total = durationValue(body.duration ?? '5', ['duration'], MIN_SHOT_SECONDS);
  if (shots !== undefined && total !== undefined && errors.length === 0 && shotSum !== total) {
    fail(['duration'], `The shot durations add up to ${shotSum} s, but duration is ${total} s`);
  }
  if (body.aspect_ratio !== undefined && !(ASPECT_RATIOS as readonly unknown[]).includes(body.aspect_ratio)) {
    fail(['aspect_ratio'], `Input should be ${ASPECT_RATIOS.map((r) => `'${r}'`).join(', ')}`, 'literal_error');
  }
  if (body.generate_audio !== undefined && typeof body.generate_audio !== 'boolean') fail(['generate_audio'], 'Input should be a valid boolean', 'bool_type');
  if (body.start_image_url !== undefined) checkUrl(body.start_image_url, ['start_image_url']);
  if (body.end_image_url !== undefined) checkUrl(body.end_image_url, ['end_image_url']);
  if (body.image_url !== undefined) fail(['image_url'], 'Extra inputs are not permitted: reference-to-video takes start_image_url', 'extra_forbidden');
  const images = body.image_urls;
  if (images !== undefined) {
    if (!Array.isArray(images)) fail(['image_urls'], 'Input should be a valid list', 'list_type');
    else images.forEach((url: unknown, i: number) => checkUrl(url, ['image_urls', i]));
  }
  if (body.elements !== undefined) {
    if (!Array.isArray(body.elements)) fail(['elements'], 'Input should be a valid list', 'list_type');
    else {
      body.elements.forEach((element: any, i: number) => {
        checkUrl(element?.frontal_image_url, ['elements', i, 'frontal_image_url']);
        const refs = element?.reference_image_urls;
        if (!Array.isArray(refs) || refs.length < 1 || refs.length > 3) fail(['elements', i, 'reference_image_urls'], 'Provide 1 to 3 reference images');
        else refs.forEach((url: unknown, j: number) => checkUrl(url, ['elements', i, 'reference_image_urls', j]));
        if (element?.video_url !== undefined) checkUrl(element.video_url, ['elements', i, 'video_url']);
        if (element?.voice_id !== undefined && element?.video_url === undefined) {
          fail(['elements', i, 'voice_id'], 'Voice binding is only supported for video elements, and cannot be used with image elements');
        }
      });
      const withVideo = body.elements.filter((element: any) => element?.video_url !== undefined).length;
      if (withVideo > 1) fail(['elements'], 'A request can only have one element with a video');
      const references = body.elements.length + (Array.isArray(images) ? images.length : 0);
      const limit = withVideo > 0 ? MAX_REFERENCES_WITH_VIDEO : MAX_REFERENCES;
      if (references > limit) fail(['elements'], `Maximum ${limit} total (elements + reference images)${withVideo > 0 ? ' when using video' : ''}, got ${references}`);
    }
  }
  return errors;
}

/** A real, decodable MP4: the provider and the pipeline probe what they download. */
async function renderTestVideo(outPath: string, seconds: number, ratio: AspectRatio, audio: boolean): Promise<string> {
  const { width, height } = videoResolution(ratio);
  const video = ['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=24`];
  const sound = audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : [];
  const encode = ['-t', String(seconds), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', ...(audio ? ['-c:a', 'aac'] : [])];
  await runProcess(ffmpegPath(), ['-v', 'error', '-y', ...video, ...sound, ...encode, '-movflags', '+faststart', outPath]);
  return outPath;
}
