import { readdir } from 'node:fs/promises';

/** t: takes, g: grids, v: delivered versions. */
export type FolderPrefix = 't' | 'g' | 'v';

/**
 * The numbers of a parent folder's numbered subfolders (t001, t002…, g001… or v001…), in no order.
 * Folders being staged (`.t003-…`) and anything else are ignored; a missing parent has none.
 */
export async function folderNumbers(parent: string, prefix: FolderPrefix): Promise<number[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const pattern = new RegExp(`^${prefix}(\\d{3,})$`);
  return names.flatMap((name) => {
    const digits = pattern.exec(name)?.[1];
    return digits === undefined ? [] : [Number(digits)];
  });
}

/** The first number no folder uses yet, so new work never lands on an earlier run's folder. */
export async function firstFreeNumber(parent: string, prefix: FolderPrefix): Promise<number> {
  return Math.max(0, ...(await folderNumbers(parent, prefix))) + 1;
}
