import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { Quadrant } from '../../domain/quadrants.js';
import type { ChosenFrame } from '../../contract/sequence.js';
import type { ActivityDeps } from '../deps.js';
import { fetched } from '../../store/artifact-store.js';
import { quadrantFileName, selectStartFrame } from '../grids/extract-quadrant.js';
import { gridDir, readGridManifest, writeGridManifest } from '../../store/grids/grid-folders.js';
import { cleanDir } from '../../store/sequence-dirs.js';
import type { FrameChoice } from '../../contract/activities.js';

/** Puts the picked quadrant into clean/start_frame.png and records the choice in grid.json. */
export function chooseStartFrameActivity(deps: ActivityDeps) {
  return async function chooseStartFrame(choice: FrameChoice): Promise<ChosenFrame> {
    const { store } = deps;
    const dir = gridDir(store.root, choice, choice.grid);
    const gridMissing = () => ApplicationFailure.nonRetryable(`grid ${choice.grid} of ${choice.sequenceId} is not stored (${store.location(dir)})`, 'GridMissing');
    const manifest = await readGridManifest(store, dir);
    if (!manifest) throw gridMissing();
    const quadrant = choice.quadrant as Quadrant;
    const quadrantPath = await fetched(store, join(dir, quadrantFileName(quadrant)), gridMissing);
    const path = await selectStartFrame(store, quadrantPath, cleanDir(store.root, choice));
    if (manifest.chosen?.quadrant !== quadrant || manifest.chosen.by !== choice.by) {
      await writeGridManifest(store, dir, { ...manifest, chosen: { quadrant, by: choice.by, at: new Date().toISOString() } });
    }
    return { path, grid: choice.grid, quadrant, by: choice.by };
  };
}
