import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { takeDir } from '../../src/store/takes/take-folders.js';
import { MANIFEST_FILE, readManifest, type TakeManifest } from '../../src/store/takes/take-manifest.js';
import type { TakeRef } from '../../src/contract/activities.js';
import { numberOfName } from '../../src/domain/ids.js';
import { LocalFolderStore } from '../../src/store/local-folder-store.js';

/** A take folder's take.json as the pipeline left it; a folder without one fails the test. */
export async function readTakeJson(folder: string): Promise<TakeManifest> {
  const manifest = await readManifest(new LocalFolderStore(folder), join(folder, MANIFEST_FILE));
  if (!manifest) throw new Error(`no ${MANIFEST_FILE} in ${folder}`);
  return manifest;
}

/** The take.json of one take under an artifacts root. */
export function readTakeJsonOf(root: string, ref: TakeRef): Promise<TakeManifest> {
  return readTakeJson(takeDir(root, ref));
}

/** Every finished take folder's take.json under `root` (an artifacts root, an episode…); folders being staged are skipped. */
export async function readEveryTakeJson(root: string): Promise<TakeManifest[]> {
  const files = (await readdir(root, { recursive: true })).filter((file) => basename(file) === MANIFEST_FILE && numberOfName('t', basename(dirname(file))) !== undefined);
  return Promise.all(files.map((file) => readTakeJson(join(root, dirname(file)))));
}
