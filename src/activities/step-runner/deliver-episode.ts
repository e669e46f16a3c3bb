import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ApplicationFailure } from '@temporalio/activity';
import { deliveryArtifactsPath } from '../../domain/ids.js';
import type { ActivityDeps } from '../deps.js';
import { concatVideos } from '../media/concat.js';
import { takeDir, takesDir } from '../takes/take-folders.js';
import { MANIFEST_FILE, readManifest, VIDEO_FILE } from '../takes/take-manifest.js';

export interface DeliveryRequest {
  projectId: string;
  episode: string;
  /** In cut order; a missing take means "the take whose manifest records the approval". */
  sequences: { sequenceId: string; take?: number }[];
}

interface TimelineEntry {
  sequenceId: string;
  take: number;
  source: string;
  startSec: number;
  durationSec: number;
}

/** Joins the approved takes into the episode's cut, with a timeline of where each came from. */
export function deliverEpisodeActivity(deps: ActivityDeps) {
  return async function deliverEpisode(request: DeliveryRequest): Promise<{ path: string; timelinePath: string }> {
    const timeline = await buildTimeline(deps, request);
    const dir = await freshDeliveryDir(deps, request, timeline);
    const path = join(dir, `${request.episode}_cut.mp4`);
    const timelinePath = join(dir, 'timeline.json');
    await concatVideos(timeline.map((e) => e.source), path);
    await writeFileAtomic(timelinePath, `${JSON.stringify({ episode: request.episode, entries: timeline }, null, 2)}\n`);
    return { path, timelinePath };
  };
}

async function buildTimeline(deps: ActivityDeps, request: DeliveryRequest): Promise<TimelineEntry[]> {
  let startSec = 0;
  const entries: TimelineEntry[] = [];
  for (const { sequenceId, take } of request.sequences) {
    const ref = { projectId: request.projectId, episode: request.episode, sequenceId };
    const chosen = take ?? (await findApprovedTake(deps.artifactsRoot, ref));
    const dir = takeDir(deps.artifactsRoot, { ...ref, take: chosen });
    const manifest = await readManifest(join(dir, MANIFEST_FILE));
    if (!manifest?.video) throw ApplicationFailure.nonRetryable(`${sequenceId} take ${chosen} has no finished video to deliver`, 'NothingToDeliver');
    entries.push({ sequenceId, take: chosen, source: join(dir, VIDEO_FILE), startSec, durationSec: manifest.video.durationSec });
    startSec += manifest.video.durationSec;
  }
  return entries;
}

async function findApprovedTake(root: string, ref: { projectId: string; episode: string; sequenceId: string }): Promise<number> {
  const folders = (await readdir(takesDir(root, ref)).catch(() => [] as string[])).filter((n) => /^t\d{3,}$/.test(n)).sort().reverse();
  for (const folder of folders) {
    const manifest = await readManifest(join(takesDir(root, ref), folder, MANIFEST_FILE));
    if (manifest?.decisions.some((d) => d.decision === 'approved')) return manifest.take;
  }
  throw ApplicationFailure.nonRetryable(`${ref.sequenceId} has no approved take on disk`, 'NothingToDeliver');
}

/**
 * The same cut delivered again (a retry) reuses its folder; a different cut gets the next
 * numbered folder, so an earlier delivery is never overwritten.
 */
async function freshDeliveryDir(deps: ActivityDeps, request: DeliveryRequest, timeline: TimelineEntry[]): Promise<string> {
  const root = join(deps.artifactsRoot, deliveryArtifactsPath(request.projectId, request.episode));
  const signature = JSON.stringify(timeline.map((e) => [e.sequenceId, e.take]));
  for (let n = 1; ; n++) {
    const dir = join(root, `v${String(n).padStart(3, '0')}`);
    const previous = await readFile(join(dir, '.signature'), 'utf8').catch(() => undefined);
    if (previous === signature) return dir;
    if (previous === undefined) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, '.signature'), signature, { flag: 'wx' }).catch(() => undefined);
      if ((await readFile(join(dir, '.signature'), 'utf8')) === signature) return dir;
    }
  }
}
