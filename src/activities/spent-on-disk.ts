import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { log } from '@temporalio/activity';
import { roundUsd } from '../domain/price-table.js';
import { GRID_RECEIPT_FILE, gridDir, readGridManifest } from './grids/grid-folders.js';
import { folderNumbers } from './numbered-folders.js';
import { sequenceDir } from './sequence-dirs.js';
import { takeDir } from './takes/take-folders.js';
import { MANIFEST_FILE, readManifest, type TakeManifest } from './takes/take-manifest.js';
import type { SequenceRef } from '../contract/activities.js';

/**
 * What a sequence has spent in every run so far, from the take.json and grid.json files beside
 * its takes and grids: a new run of the episode counts it against the same budget.
 */
export async function spentOnDisk(root: string, ref: SequenceRef): Promise<number> {
  const dir = sequenceDir(root, ref);
  const [takes, grids] = await Promise.all([folderNumbers(join(dir, 'takes'), 't'), folderNumbers(join(dir, 'grids'), 'g')]);
  const costs = await Promise.all([
    ...takes.map((take) => readable(join(takeDir(root, { ...ref, take }), MANIFEST_FILE), async (file) => takeCost(await readManifest(file)))),
    ...grids.map((grid) => readable(gridDir(root, ref, grid), gridCost)),
  ]);
  return roundUsd(costs.reduce((sum, usd) => sum + usd, 0));
}

/** A take that may have been queued but never reported back counts at its estimate. */
function takeCost(manifest: TakeManifest | undefined): number {
  if (!manifest) return 0;
  switch (manifest.status) {
    case 'complete':
    case 'failed':
      return manifest.actualCostUsd ?? 0;
    case 'submitted':
    case 'submitting':
      return manifest.estimatedCostUsd;
    case 'not_submitted':
      return 0;
  }
}

/** A file spoiled by hand (not valid JSON) must not stop every later run: it is named and counted as 0. */
async function readable(path: string, cost: (path: string) => Promise<number>): Promise<number> {
  try {
    return await cost(path);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    log.warn(`${path} is not valid JSON; its cost is not counted against the budget`, { error: err.message });
    return 0;
  }
}

async function gridCost(dir: string): Promise<number> {
  const manifest = await readGridManifest(dir);
  if (manifest) return manifest.costUsd;
  const receipt = await readFile(join(dir, GRID_RECEIPT_FILE), 'utf8').catch(() => undefined);
  return receipt === undefined ? 0 : (JSON.parse(receipt) as { costUsd: number }).costUsd;
}
