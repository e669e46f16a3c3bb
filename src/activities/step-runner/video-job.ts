import { isAbsolute, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from '../deps.js';
import type { VideoJob, VideoProvider } from '../providers/provider.js';
import { takeDir } from '../takes/take-folders.js';
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

export function toVideoJob(deps: ActivityDeps, request: TakeRequest): VideoJob {
  const { unit } = request;
  const planImage = unit.startFrame?.kind === 'image' ? resolveInProject(unit.projectDir, unit.startFrame.path) : undefined;
  const startFrame = request.startFramePath ?? planImage;
  const endFrame = unit.endFrame?.kind === 'image' ? resolveInProject(unit.projectDir, unit.endFrame.path) : request.endFramePath;
  return {
    unit,
    shots: request.shots,
    take: request.take,
    takeDir: takeDir(deps.artifactsRoot, { ...unit, take: request.take }),
    ...(startFrame ? { startFramePath: startFrame } : {}),
    ...(endFrame ? { endFramePath: endFrame } : {}),
  };
}

export function resolveInProject(projectDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(projectDir, path);
}
