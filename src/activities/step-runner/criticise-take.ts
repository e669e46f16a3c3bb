import { join } from 'node:path';
import { criticReport, type CriticReport } from '../../domain/critic-report.js';
import { countCriticFailures } from '../activity-metrics.js';
import { continuityFindings } from '../critics/continuity.js';
import { criticiseVideo } from '../critics/video-critics.js';
import type { ActivityDeps } from '../deps.js';
import { probeVideo } from '../media/probe.js';
import { takeDir } from '../takes/take-folders.js';
import { MANIFEST_FILE, readManifest, updateManifest, VIDEO_FILE, type TakeVideo } from '../takes/take-manifest.js';
import type { ContinuityLinks, CriticRequest, FrameToMeet } from '../../contract/activities.js';
import { resolveInProject } from './video-job.js';

/** The validation critics on a finished take, recorded in its take.json. Local analysis only: never spends money. */
export function criticiseTakeActivity(deps: ActivityDeps) {
  return async function criticiseTake(request: CriticRequest): Promise<CriticReport> {
    const dir = takeDir(deps.artifactsRoot, request);
    const checked = await criticiseVideo(join(dir, VIDEO_FILE), request.expected);
    const continuity = request.continuity ? await continuityFindings(join(dir, VIDEO_FILE), inProject(request.continuity)) : [];
    const report = continuity.length > 0 ? criticReport([...checked.findings, ...continuity], new Date(checked.checkedAt)) : checked;
    countCriticFailures(report);
    const video = await videoWithFrameRate(dir);
    await updateManifest(join(dir, MANIFEST_FILE), (m) => ({ ...m, critics: report, ...(video ? { video } : {}) }));
    return report;
  };
}

/** Plan images are named relative to the project folder; frames made by the pipeline are absolute. */
function inProject({ projectDir, startsOn, endsOn }: NonNullable<CriticRequest['continuity']>): ContinuityLinks {
  const resolved = (frame: FrameToMeet) => ({ ...frame, path: resolveInProject(projectDir, frame.path) });
  return { ...(startsOn ? { startsOn: resolved(startsOn) } : {}), ...(endsOn ? { endsOn: resolved(endsOn) } : {}) };
}

/**
 * A take that came back before take.json recorded frame rates gets them now, so every judged
 * take says its rate and length; undefined when nothing needs adding or the video does not probe.
 */
async function videoWithFrameRate(dir: string): Promise<TakeVideo | undefined> {
  const video = (await readManifest(join(dir, MANIFEST_FILE)))?.video;
  if (!video || video.frameRate !== undefined) return undefined;
  const probe = await probeVideo(join(dir, VIDEO_FILE)).catch(() => undefined);
  if (!probe?.frameRate) return undefined;
  return { ...video, durationSec: probe.durationSec, frameRate: probe.frameRate, ...(probe.frameCount !== undefined ? { frameCount: probe.frameCount } : {}) };
}
