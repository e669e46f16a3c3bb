import { isAbsolute, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from '../deps.js';
import { readableFile } from '../../store/artifact-store.js';
import { withLocalProject } from '../../store/project-inputs.js';
import type { VideoJob, VideoProvider } from '../providers/provider.js';
import { takeDir } from '../../store/takes/take-folders.js';
import type { TakeRequest } from '../../contract/activities.js';

export function providerFor(deps: ActivityDeps, request: TakeRequest): VideoProvider {
  const provider = deps.providers[request.provider];
  if (!provider) {
    throw ApplicationFailure.nonRetryable(
      `this worker has no "${request.provider}" provider configured: restart the worker with it enabled`,
      'ProviderUnavailable',
    );
  }
  return provider;
}

/** The take as its provider sees it: the frames it starts and ends on are files this worker can read. */
export async function toVideoJob(deps: ActivityDeps, request: TakeRequest): Promise<VideoJob> {
  const unit = await withLocalProject(deps.store, request.unit);
  const planImage = unit.startFrame?.kind === 'image' ? resolveInProject(unit.projectDir, unit.startFrame.path) : undefined;
  const startFrame = request.startFramePath ?? planImage;
  const endFrame = unit.endFrame?.kind === 'image' ? resolveInProject(unit.projectDir, unit.endFrame.path) : request.endFramePath;
  const local = (location: string) => readableFile(deps.store, location, () => frameGone(location));
  return {
    unit,
    shots: request.shots,
    take: request.take,
    takeDir: takeDir(deps.store.root, { ...unit, take: request.take }),
    ...(startFrame ? { startFramePath: await local(startFrame) } : {}),
    ...(endFrame ? { endFramePath: await local(endFrame) } : {}),
  };
}

function frameGone(location: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`the frame ${location} is no longer stored: pick a frame again`, 'StartFrameMissing');
}

/**
 * A plan's image path, relative to its project (a folder, or its copy in a bucket: s3://…); an
 * absolute path or a stored artifact's location as it is.
 */
export function resolveInProject(projectDir: string, path: string): string {
  if (isAbsolute(path) || URL_LIKE.test(path)) return path;
  return URL_LIKE.test(projectDir) ? `${projectDir.replace(/\/+$/, '')}/${path}` : resolve(projectDir, path);
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//;
