import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRID_MANIFEST_FILE, GRID_RECEIPT_FILE, gridDir } from '../src/store/grids/grid-folders.js';
import { storedSpend } from '../src/store/spent.js';
import { takeDir } from '../src/store/takes/take-folders.js';
import { BILLING_FILE, MANIFEST_FILE, type TakeManifestStatus } from '../src/store/takes/take-manifest.js';
import type { TakeBilling } from '../src/domain/billing-reconciliation.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const ref = { projectId: 'spend', episode: 'EP001', sequenceId: 'SEQ01' };
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'recoil-spent-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function take(take: number, status: TakeManifestStatus, money: { estimatedCostUsd: number; actualCostUsd?: number }, billing?: Pick<TakeBilling, 'state' | 'usd'>) {
  const dir = takeDir(root, { ...ref, take });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...ref, take, status, ...money }));
  if (billing) await writeFile(join(dir, BILLING_FILE), JSON.stringify({ ...billing, requestId: `r-${take}`, reconciledAt: new Date().toISOString() }));
}

async function grid(number: number, file: string, costUsd: number) {
  const dir = gridDir(root, ref, number);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), JSON.stringify({ costUsd }));
}

describe('storedSpend', () => {
  it('adds up what every take and grid of a sequence cost, counting takes fal may have queued at their estimate', async () => {
    expect(await storedSpend(new LocalFolderStore(root), ref)).toEqual({ totalUsd: 0, billedUsd: 0 });
    await take(1, 'complete', { estimatedCostUsd: 1.18, actualCostUsd: 1.176 });
    await take(2, 'failed', { estimatedCostUsd: 1.18, actualCostUsd: 1.18 });
    await take(3, 'not_submitted', { estimatedCostUsd: 1.18 });
    await take(4, 'submitted', { estimatedCostUsd: 1.18 });
    await take(5, 'submitting', { estimatedCostUsd: 1.18 });
    await grid(1, GRID_MANIFEST_FILE, 0.039);
    await grid(2, GRID_RECEIPT_FILE, 0.039);
    // A folder being staged is not a take yet.
    await mkdir(join(takeDir(root, { ...ref, take: 6 }), '..', '.t006-abc'), { recursive: true });
    expect(await storedSpend(new LocalFolderStore(root), ref)).toEqual({ totalUsd: 4.794, billedUsd: 0 });
  });

  it("counts fal's bill instead of Recoil's figure once reconciliation wrote it, and says how much is billed", async () => {
    // Take 1 was billed under the price table's figure; take 2, a failed call, was never charged.
    await take(1, 'complete', { estimatedCostUsd: 1.18, actualCostUsd: 1.176 }, { state: 'billed', usd: 1.058 });
    await take(2, 'failed', { estimatedCostUsd: 1.18, actualCostUsd: 1.18 }, { state: 'not_charged', usd: 0 });
    expect(await storedSpend(new LocalFolderStore(root), ref)).toEqual({ totalUsd: 3.496, billedUsd: 1.058 });
  });
});
