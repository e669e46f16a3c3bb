import { join } from 'node:path';
import { criticReport, type CriticReport } from '../../domain/critic-report.js';
import { countCriticFailures } from '../activity-metrics.js';
import { continuityFindings } from '../critics/continuity.js';
import { criticiseVideo } from '../critics/video-critics.js';
import type { ActivityDeps } from '../deps.js';
import { readableFile, type ArtifactStore } from '../../store/artifact-store.js';
import { probeVideo } from '../media/probe.js';
import { takeDir } from '../../store/takes/take-folders.js';
import { MANIFEST_FILE, readManifest, updateManifest, VIDEO_FILE, type TakeVideo } from '../../store/takes/take-manifest.js';
import type { ContinuityLinks, CriticRequest, FrameToMeet } from '../../contract/activities.js';
import { resolveInProject } from './video-job.js';

/** The validation critics on a finished take, recorded in its take.json. Local analysis only: never spends money. */
export function criticiseTakeActivity(deps: ActivityDeps) {
  return async function criticiseTake(request: CriticRequest): Promise<CriticReport> {
    const { store } = deps;
    const dir = takeDir(store.root, request);
    // A take whose video is gone is judged as one that cannot be played: the critics say so.
    await store.fetch(join(dir, VIDEO_FILE));
    const checked = await criticiseVideo(join(dir, VIDEO_FILE), request.expected);
    const continuity = request.continuity ? await continuityFindings(join(dir, VIDEO_FILE), await framesToMeet(store, request.continuity)) : [];
    const report = continuity.length > 0 ? criticReport([...checked.findings, ...continuity], new Date(checked.checkedAt)) : checked;
    countCriticFailures(report);
    const video = await videoWithFrameRate(store, dir);
    await updateManifest(store, join(dir, MANIFEST_FILE), (m) => ({ ...m, critics: report, ...(video ? { video } : {}) }));
    return report;
  };
}

/** Plan images are named relative to the project folder; frames made by the pipeline are stored artifacts. */
async function framesToMeet(store: ArtifactStore, { projectDir, startsOn, endsOn }: NonNullable<CriticRequest['continuity']>): Promise<ContinuityLinks> {
  const local = async (frame: FrameToMeet) => {
    const location = resolveInProject(projectDir, frame.path);
    return { ...frame, path: await readableFile(store, location, () => new Error(`${frame.what}: ${location} is not stored`)) };
  };
  return { ...(startsOn ? { startsOn: await local(startsOn) } : {}), ...(endsOn ? { endsOn: await local(endsOn) } : {}) };
}

/**
 * A take that came back before take.json recorded frame rates gets them now, so every judged
 * take says its rate and length; undefined when nothing needs adding or the video does not probe.
 */
async function videoWithFrameRate(store: ArtifactStore, dir: string): Promise<TakeVideo | undefined> {
  const video = (await readManifest(store, join(dir, MANIFEST_FILE)))?.video;
  if (!video || video.frameRate !== undefined) return undefined;
  const probe = await probeVideo(join(dir, VIDEO_FILE)).catch(() => undefined);
  if (!probe?.frameRate) return undefined;
  return { ...video, durationSec: probe.durationSec, frameRate: probe.frameRate, ...(probe.frameCount !== undefined ? { frameCount: probe.frameCount } : {}) };
}
