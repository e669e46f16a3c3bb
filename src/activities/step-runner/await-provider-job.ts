import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { ActivityDeps } from '../deps.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { probeVideo, type VideoProbe } from '../media/probe.js';
import type { AwaitContext, VideoJob } from '../providers/provider.js';
import { MANIFEST_FILE, readManifest, updateManifest, VIDEO_FILE, type TakeManifest, type TakeVideo } from '../../store/takes/take-manifest.js';
import type { FinishedTake, ProviderJobRequest } from '../../contract/activities.js';
import { recordProviderWait } from '../activity-metrics.js';
import { withVerdict } from '../paid-call-failure.js';
import { handOverSlots } from './hand-over-slots.js';
import { providerFor, toVideoJob } from './video-job.js';

type SubmittedRequest = ProviderJobRequest;

const COLLECT_HEARTBEAT_MS = 1_000;

/** The provider accepted the job, so whatever goes wrong from here on, it may have been paid for. */
function mayHaveCharged<A extends unknown[], T>(activity: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  return (...args) =>
    activity(...args).catch((err: unknown) => {
      throw withVerdict(err, 'may_have_charged');
    });
}

/**
 * Waits until the provider has finished a submitted take, and says what it costs. Nothing is
 * downloaded: the provider's slot is free again the moment this returns.
 */
export function awaitProviderJobActivity(deps: ActivityDeps) {
  return mayHaveCharged(async function awaitProviderJob(request: SubmittedRequest): Promise<{ costUsd: number }> {
    const { provider, job, finished, submittedAt } = await takeInFolder(deps, request);
    if (finished) return { costUsd: finished.costUsd };
    await provider.awaitFinished(job, request.requestId, awaitContext(request));
    if (submittedAt) recordProviderWait(provider.name, request.unit.model, (Date.now() - Date.parse(submittedAt)) / 1_000);
    const costUsd = provider.costOf(job);
    if (request.handOver) await handOverSlots(request.handOver, { sequenceId: request.unit.sequenceId, take: request.take, costUsd });
    return { costUsd };
  });
}

/** Fetches a finished take's video into the take folder, probes it and records it as complete. */
export function collectTakeActivity(deps: ActivityDeps) {
  return mayHaveCharged(async function collectTake(request: SubmittedRequest): Promise<FinishedTake> {
    const { provider, job, finished } = await takeInFolder(deps, request);
    if (finished) return finished;
    const ctx = awaitContext(request);
    // A download can outlast the heartbeat timeout; a silent attempt would be retried while it still runs.
    const beating = setInterval(() => ctx.heartbeat({ phase: 'collecting' }), COLLECT_HEARTBEAT_MS);
    try {
      // This worker's mirror may never have seen the take: another worker may have submitted it.
      await mkdir(job.takeDir, { recursive: true });
      await provider.collect(job, request.requestId, join(job.takeDir, VIDEO_FILE), ctx);
    } finally {
      clearInterval(beating);
    }
    return recordComplete(deps.store, job, provider.costOf(job));
  });
}

/** The take's provider and folder, and the finished take when an earlier attempt already recorded it. */
async function takeInFolder(deps: ActivityDeps, request: SubmittedRequest) {
  const provider = providerFor(deps, request);
  const { store } = deps;
  const job = await toVideoJob(deps, request);
  const manifestPath = join(job.takeDir, MANIFEST_FILE);
  const manifest = await readManifest(store, manifestPath);
  if (!manifest) throw ApplicationFailure.nonRetryable(`take ${request.take} was never submitted (${store.location(manifestPath)})`, 'TakeMissing');
  const finished = await alreadyFinished(store, manifest, join(job.takeDir, VIDEO_FILE));
  if (finished) log.info('take already finished; returning it', { take: request.take });
  return { provider, job, finished, submittedAt: manifest.times.submittedAt };
}

async function alreadyFinished(store: ArtifactStore, manifest: TakeManifest, videoPath: string): Promise<FinishedTake | undefined> {
  if (manifest.status !== 'complete' || !manifest.video || !(await store.stat(videoPath))) return undefined;
  return { videoPath: store.location(videoPath), ...manifest.video, costUsd: manifest.actualCostUsd ?? 0 };
}

function awaitContext(request: SubmittedRequest): AwaitContext {
  const ctx = Context.current();
  const heartbeat = (details?: unknown) => ctx.heartbeat({ requestId: request.requestId, ...(details as object) });
  heartbeat();
  return { heartbeat, signal: ctx.cancellationSignal };
}

async function recordComplete(store: ArtifactStore, job: VideoJob, costUsd: number): Promise<FinishedTake> {
  const videoPath = join(job.takeDir, VIDEO_FILE);
  // Stored before take.json says complete; a copy an earlier attempt stored is the same paid-for video.
  await store.publish(videoPath, { ifAbsent: true });
  // A file that does not probe is still the paid-for take: the critics judge it, a retry would not fix it.
  const probe: VideoProbe = await probeVideo(videoPath).catch((err: Error) => {
    log.warn('the finished take does not probe as a video', { take: job.take, error: err.message });
    return { durationSec: 0, width: 0, height: 0, hasVideo: false, hasAudio: false };
  });
  const video: TakeVideo = {
    file: VIDEO_FILE,
    durationSec: probe.durationSec,
    width: probe.width,
    height: probe.height,
    ...(probe.frameRate ? { frameRate: probe.frameRate } : {}),
    ...(probe.frameCount !== undefined ? { frameCount: probe.frameCount } : {}),
  };
  await updateManifest(store, join(job.takeDir, MANIFEST_FILE), (m) => ({
    ...m,
    status: 'complete',
    actualCostUsd: costUsd,
    video,
    times: { ...m.times, completedAt: new Date().toISOString() },
  }));
  return { videoPath: store.location(videoPath), durationSec: probe.durationSec, width: probe.width, height: probe.height, costUsd };
}
