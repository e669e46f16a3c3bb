import { numberOfName, type NumberedPrefix } from '../domain/ids.js';
import type { ArtifactStore } from './artifact-store.js';

/**
 * The numbers of a parent folder's numbered subfolders (t001, t002…, g001… or v001…), in no order.
 * Folders being staged (`.t003-…`) and anything else are ignored; a missing parent has none.
 */
export async function folderNumbers(store: ArtifactStore, parent: string, prefix: NumberedPrefix): Promise<number[]> {
  const names = await store.list(parent);
  return names.flatMap((name) => numberOfName(prefix, name) ?? []);
}

/** The first number no folder uses yet, so new work never lands on an earlier run's folder. */
export async function firstFreeNumber(store: ArtifactStore, parent: string, prefix: NumberedPrefix): Promise<number> {
  return Math.max(0, ...(await folderNumbers(store, parent, prefix))) + 1;
}
