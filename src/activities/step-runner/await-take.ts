import { join } from 'node:path';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { ActivityDeps } from '../deps.js';
import { pathExists } from '../path-exists.js';
import { probeVideo, type VideoProbe } from '../media/probe.js';
import { MANIFEST_FILE, readManifest, updateManifest, VIDEO_FILE, type TakeVideo } from '../takes/take-manifest.js';
import type { FinishedTake, TakeRequest } from '../../contract/activities.js';
import { withVerdict } from '../paid-call-failure.js';
import { providerFor, toVideoJob } from './video-job.js';

/** Waits for a submitted take, downloads its video into the take folder and records the cost. */
export function awaitTakeActivity(deps: ActivityDeps) {
  // The provider accepted this job, so whatever goes wrong from here on, it may have been paid for.
  return (request: TakeRequest & { requestId: string }): Promise<FinishedTake> =>
    awaitSubmitted(deps, request).catch((err: unknown) => {
      throw withVerdict(err, 'may_have_charged');
    });
}

async function awaitSubmitted(deps: ActivityDeps, request: TakeRequest & { requestId: string }): Promise<FinishedTake> {
  const provider = providerFor(deps, request);
  const job = toVideoJob(deps, request);
  const manifestPath = join(job.takeDir, MANIFEST_FILE);
  const videoPath = join(job.takeDir, VIDEO_FILE);
  const manifest = await readManifest(manifestPath);
  if (!manifest) throw ApplicationFailure.nonRetryable(`take ${request.take} was never submitted (${manifestPath})`, 'TakeMissing');

  if (manifest.status === 'complete' && manifest.video && (await pathExists(videoPath))) {
    log.info('take already finished; returning it', { take: request.take });
    return { videoPath, ...manifest.video, costUsd: manifest.actualCostUsd ?? 0 };
  }

  const ctx = Context.current();
  const heartbeat = (details?: unknown) => ctx.heartbeat({ requestId: request.requestId, ...(details as object) });
  heartbeat();
  const { costUsd } = await provider.awaitResult(job, request.requestId, videoPath, {
    heartbeat,
    signal: ctx.cancellationSignal,
  });
  // A file that does not probe is still the paid-for take: the critics judge it, a retry would not fix it.
  const probe: VideoProbe = await probeVideo(videoPath).catch((err: Error) => {
    log.warn('the finished take does not probe as a video', { take: request.take, error: err.message });
    return { durationSec: 0, width: 0, height: 0, hasVideo: false };
  });
  const video: TakeVideo = {
    file: VIDEO_FILE,
    durationSec: probe.durationSec,
    width: probe.width,
    height: probe.height,
    ...(probe.frameRate ? { frameRate: probe.frameRate } : {}),
    ...(probe.frameCount !== undefined ? { frameCount: probe.frameCount } : {}),
  };
  await updateManifest(manifestPath, (m) => ({
    ...m,
    status: 'complete',
    actualCostUsd: costUsd,
    video,
    times: { ...m.times, completedAt: new Date().toISOString() },
  }));
  return { videoPath, durationSec: probe.durationSec, width: probe.width, height: probe.height, costUsd };
}
