import { join } from 'node:path';
import type { AspectRatio, Resolution } from '../../domain/aspect-ratio.js';
import type { CriticReport } from '../../domain/critic-report.js';
import { criticiseVideo } from '../critics/video-critics.js';
import type { ActivityDeps } from '../deps.js';
import { takeDir, type TakeRef } from '../takes/take-folders.js';
import { MANIFEST_FILE, updateManifest, VIDEO_FILE } from '../takes/take-manifest.js';

export interface CriticRequest extends TakeRef {
  expected: { durationSec: number; aspectRatio: AspectRatio; resolution: Resolution };
}

/** The validation critics on a finished take, recorded in its take.json. Local analysis only: never spends money. */
export function criticiseTakeActivity(deps: ActivityDeps) {
  return async function criticiseTake(request: CriticRequest): Promise<CriticReport> {
    const dir = takeDir(deps.artifactsRoot, request);
    const report = await criticiseVideo(join(dir, VIDEO_FILE), request.expected);
    await updateManifest(join(dir, MANIFEST_FILE), (m) => ({ ...m, critics: report }));
    return report;
  };
}
