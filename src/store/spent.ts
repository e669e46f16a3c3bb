import { join } from 'node:path';
import { roundUsd } from '../domain/price-table.js';
import { readJson, type ArtifactStore } from './artifact-store.js';
import { GRID_RECEIPT_FILE, gridDir, readGridManifest } from './grids/grid-folders.js';
import { folderNumbers } from './numbered-folders.js';
import { sequenceDir } from './sequence-dirs.js';
import { takeDir } from './takes/take-folders.js';
import { MANIFEST_FILE, readManifest, readTakeBilling, type TakeManifest } from './takes/take-manifest.js';
import type { TakeBilling } from '../domain/billing-reconciliation.js';
import type { SequenceRef } from '../contract/activities.js';

/** Spend, and the part of it fal's own records confirm (the rest is Recoil's estimate). */
export interface Spend {
  totalUsd: number;
  billedUsd: number;
}

const NOTHING: Spend = { totalUsd: 0, billedUsd: 0 };

/**
 * What a sequence has spent in every run so far, from the take.json and grid.json files beside
 * its takes and grids: a new run of the episode counts it against the same budget.
 */
export async function storedSpend(store: ArtifactStore, ref: SequenceRef, warn: UnreadableWarning = () => undefined): Promise<Spend> {
  const { root } = store;
  const dir = sequenceDir(root, ref);
  const [takes, grids] = await Promise.all([folderNumbers(store, join(dir, 'takes'), 't'), folderNumbers(store, join(dir, 'grids'), 'g')]);
  const costs = await Promise.all([
    ...takes.map((take) =>
      readable(warn, store, takeDir(root, { ...ref, take }), async (dir) => takeSpend(await readManifest(store, join(dir, MANIFEST_FILE)), await readTakeBilling(store, dir))),
    ),
    ...grids.map((grid) => readable(warn, store, gridDir(root, ref, grid), async (path) => ({ totalUsd: await gridCost(store, path), billedUsd: 0 }))),
  ]);
  return sumSpend(costs);
}

export function sumSpend(spends: readonly Spend[]): Spend {
  return {
    totalUsd: roundUsd(spends.reduce((sum, s) => sum + s.totalUsd, 0)),
    billedUsd: roundUsd(spends.reduce((sum, s) => sum + s.billedUsd, 0)),
  };
}

/** fal's bill when reconciliation has read it; else what Recoil recorded. */
function takeSpend(manifest: TakeManifest | undefined, billing: TakeBilling | undefined): Spend {
  if (manifest && billing) return { totalUsd: billing.usd, billedUsd: billing.usd };
  return { totalUsd: recordedTakeCost(manifest), billedUsd: 0 };
}

/** A take that may have been queued but never reported back counts at its estimate. */
function recordedTakeCost(manifest: TakeManifest | undefined): number {
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

export type UnreadableWarning = (message: string, detail: { error: string }) => void;

/** A file spoiled by hand (not valid JSON) must not stop every later run: it is named and counted as 0. */
async function readable(warn: UnreadableWarning, store: ArtifactStore, path: string, cost: (path: string) => Promise<Spend>): Promise<Spend> {
  try {
    return await cost(path);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    warn(`${store.location(path)} is not valid JSON; its cost is not counted against the budget`, { error: err.message });
    return NOTHING;
  }
}

async function gridCost(store: ArtifactStore, dir: string): Promise<number> {
  const manifest = await readGridManifest(store, dir);
  if (manifest) return manifest.costUsd;
  return (await readJson<{ costUsd: number }>(store, join(dir, GRID_RECEIPT_FILE)))?.costUsd ?? 0;
}
