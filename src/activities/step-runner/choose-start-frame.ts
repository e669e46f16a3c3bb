import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { Quadrant } from '../../domain/quadrants.js';
import type { ChosenFrame } from '../../contract/sequence.js';
import type { ActivityDeps } from '../deps.js';
import { quadrantFileName, selectStartFrame } from '../grids/extract-quadrant.js';
import { gridDir, readGridManifest, writeGridManifest } from '../grids/grid-folders.js';
import { cleanDir } from '../sequence-dirs.js';
import type { FrameChoice } from '../../contract/activities.js';

/** Puts the picked quadrant into clean/start_frame.png and records the choice in grid.json. */
export function chooseStartFrameActivity(deps: ActivityDeps) {
  return async function chooseStartFrame(choice: FrameChoice): Promise<ChosenFrame> {
    const dir = gridDir(deps.artifactsRoot, choice, choice.grid);
    const manifest = await readGridManifest(dir);
    if (!manifest) throw ApplicationFailure.nonRetryable(`grid ${choice.grid} of ${choice.sequenceId} is not on disk (${dir})`, 'GridMissing');
    const quadrant = choice.quadrant as Quadrant;
    const path = await selectStartFrame(join(dir, quadrantFileName(quadrant)), cleanDir(deps.artifactsRoot, choice));
    if (manifest.chosen?.quadrant !== quadrant || manifest.chosen.by !== choice.by) {
      await writeGridManifest(dir, { ...manifest, chosen: { quadrant, by: choice.by, at: new Date().toISOString() } });
    }
    return { path, grid: choice.grid, quadrant, by: choice.by };
  };
}
