import { join } from 'node:path';
import { createFalClient, type FalClient } from '@fal-ai/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { SettlementRules } from '../../../domain/cut-off-submissions.js';
import { MODELS, type ModelName } from '../../../domain/models.js';
import { videoCostUsd, type PriceTable } from '../../../domain/price-table.js';
import { pricedFalEndpoints } from '../../../domain/price-check.js';
import { markNotAccepted, type AwaitContext, type ProviderRecords, type VideoJob, type VideoProvider } from '../provider.js';
import { shouldCancelProviderJob } from './abandon-on-abort.js';
import { listBilledJobs, listPrices } from './platform-api.js';
import { downloadVideo } from './download-video.js';
import { submissionCertainlyRefused, toFalFailure } from './fal-errors.js';
import { buildKlingInput } from './kling-input.js';
import { redirectingFetch } from './redirecting-fetch.js';
import { attemptFailure, singleAttemptFetch } from './single-attempt-fetch.js';
import { DEFAULT_LIFETIMES, uploadLifecycle, videoStorageSettings, type FalStorageLifetimes } from './storage-lifecycle.js';
import { createUploadCache, UPLOAD_CACHE_FILE } from './upload-cache.js';
import { waitForCompletion } from './wait-for-completion.js';

export interface FalProviderOptions {
  /** FAL_KEY from the worker's environment. Never logged, never returned, never put in a message. */
  credentials: string;
  /** RECOIL_FAL_BASE_URL: send every fal call (uploads and downloads too) to this server, e.g. the offline fake. */
  baseUrl?: string;
  /** RECOIL_FAL_POLL_MS: how often to ask for the status when fal's status stream is not available. */
  pollIntervalMs?: number;
  /** How often to double-check the status while the stream is quiet (tests shorten it). */
  streamCheckMs?: number;
  /** Where `.fal-uploads.json` lives, shared by every worker process (the worker passes its artifacts root). */
  uploadCacheDir: string;
  /** The worker's price table: what a finished take is recorded as costing. */
  prices: PriceTable;
  /** FAL_ADMIN_KEY: lets a cut-off submission be settled from fal's billing records. Never logged or returned. */
  adminKey?: string;
  /** RECOIL_FAL_SUBMIT_TIMEOUT_SEC: a submission with no answer by then is cut off (and settled from the records). */
  submitTimeoutMs?: number;
  /** How a cut-off submission is judged; defaults from the model's documented run time (tests shorten them). */
  settlement?: Partial<SettlementRules>;
  /** RECOIL_FAL_STORAGE_EXPIRES_SEC, RECOIL_FAL_VIDEO_EXPIRES_SEC: how long fal keeps our uploads and its videos. */
  storageLifetimes?: Partial<FalStorageLifetimes>;
}

/** The fal SDK's own polling interval. */
const DEFAULT_POLL_INTERVAL_MS = 500;
/** fal sends a keep-alive line every 15 s; a stream silent for longer than that may be dead. */
const DEFAULT_STREAM_CHECK_MS = 15_000;
/** fal answers a submission in well under a second; one silent this long is treated as cut off. */
const DEFAULT_SUBMIT_TIMEOUT_MS = 120_000;
/** Billing records appear when a job finishes, and may lag behind it by this much. */
const DEFAULT_RECORDS_LAG_MS = 5 * 60_000;
/** Cancelling is a courtesy to the account's concurrency limit; it must not hold up the activity. */
const CANCEL_TIMEOUT_MS = 10_000;

/** Kling O3 on fal.ai: multi-shot video with consistent characters (elements) and an optional start frame. */
export function createFalProvider(options: FalProviderOptions): VideoProvider {
  const { credentials } = options;
  const fetchFn = options.baseUrl ? redirectingFetch(options.baseUrl) : fetch;
  const fal = createFalClient({ credentials, fetch: fetchFn });
  const submitter = createFalClient({ credentials, fetch: singleAttemptFetch(fetchFn) });
  const lifetimes = { ...DEFAULT_LIFETIMES, ...options.storageLifetimes };
  const uploadedUrl = createUploadCache({
    file: join(options.uploadCacheDir, UPLOAD_CACHE_FILE),
    server: options.baseUrl ?? 'fal.ai',
    lifetimeSec: lifetimes.uploadSec,
    upload: (file) => fal.storage.upload(file, { lifecycle: uploadLifecycle(lifetimes) }),
  });
  const storageSettings = videoStorageSettings(lifetimes);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const streamCheckMs = options.streamCheckMs ?? DEFAULT_STREAM_CHECK_MS;
  const submitTimeoutMs = options.submitTimeoutMs ?? DEFAULT_SUBMIT_TIMEOUT_MS;

  return {
    name: 'fal',
    // fal has no idempotency key: a second submit is a second paid video.
    resubmitIsSafe: false,
    async submit(job) {
      const endpoint = falEndpoint(job.unit.model);
      let input;
      try {
        input = await buildKlingInput(job, uploadedUrl);
      } catch (err) {
        throw markNotAccepted(toFalFailure(err, credentials));
      }
      try {
        const { request_id } = await submitter.queue.submit(endpoint, { input, storageSettings, abortSignal: AbortSignal.timeout(submitTimeoutMs) });
        return { requestId: request_id };
      } catch (err) {
        const cause = attemptFailure(err);
        const failure = toFalFailure(cause, credentials);
        throw submissionCertainlyRefused(cause) ? markNotAccepted(failure) : failure;
      }
    },
    async awaitFinished(job, requestId, ctx) {
      const endpoint = falEndpoint(job.unit.model);
      try {
        await waitForCompletion(fal, { endpoint, requestId, pollIntervalMs, streamCheckMs }, ctx);
      } catch (err) {
        if (ctx.signal.aborted) throw await stopWaiting(fal, endpoint, requestId, ctx);
        throw toFalFailure(err, credentials);
      }
    },
    async collect(job, requestId, videoPath, ctx) {
      const endpoint = falEndpoint(job.unit.model);
      try {
        const { data } = await fal.queue.result(endpoint, { requestId, abortSignal: ctx.signal });
        await downloadVideo(fetchFn, videoUrlOf(data), videoPath, ctx.signal);
      } catch (err) {
        // The job is finished: there is nothing left at fal to cancel, whoever stopped us.
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toFalFailure(err, credentials);
      }
    },
    costOf(job) {
      return costOf(job, options.prices);
    },
    ...(options.adminKey ? { records: falRecords(options.adminKey, fetchFn, options.settlement) } : {}),
  };
}

function falRecords(adminKey: string, fetchFn: typeof fetch, settlement: Partial<SettlementRules> = {}): ProviderRecords {
  const longestRunSec = Math.max(...Object.values(MODELS).map((m) => (m.provider === 'fal' ? (m.longestRunSec ?? 0) : 0)));
  return {
    billedJobs: (endpoint, since) => listBilledJobs({ adminKey, fetchFn }, endpoint, since),
    prices: () => listPrices({ adminKey, fetchFn }, pricedFalEndpoints().map((e) => e.endpoint)),
    rules: {
      longestRunMs: settlement.longestRunMs ?? longestRunSec * 1_000,
      recordsLagMs: settlement.recordsLagMs ?? DEFAULT_RECORDS_LAG_MS,
    },
  };
}

function falEndpoint(model: ModelName): string {
  const info = MODELS[model];
  if (info.provider !== 'fal' || info.kind !== 'video') {
    throw ApplicationFailure.nonRetryable(`model "${model}" is not a fal video model: choose a kling model for this sequence`, 'InvalidInput');
  }
  return info.endpoint;
}

/** Cancels the paid job when nobody wants it any more, then reports the abort as the outcome. */
async function stopWaiting(fal: FalClient, endpoint: string, requestId: string, ctx: AwaitContext): Promise<unknown> {
  if (shouldCancelProviderJob(ctx.signal.reason)) {
    await fal.queue.cancel(endpoint, { requestId, abortSignal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) }).catch(() => undefined);
  }
  return ctx.signal.reason;
}

function videoUrlOf(data: unknown): string {
  const url = (data as { video?: { url?: unknown } } | undefined)?.video?.url;
  if (typeof url !== 'string') {
    throw ApplicationFailure.nonRetryable('fal reported the take finished but returned no video; retake it', 'ProviderRejected');
  }
  return url;
}

/** fal reports no cost: it charges the requested duration at the model's per-second rate. */
function costOf(job: VideoJob, prices: PriceTable): number {
  const { model, generateAudio } = job.unit;
  const seconds = job.shots.reduce((sum, s) => sum + s.duration, 0);
  return videoCostUsd(prices, model, seconds, generateAudio);
}
