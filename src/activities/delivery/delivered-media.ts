import { copyFile, link, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApprovedTake } from './approved-takes.js';
import { deliveredMediaPath, MEDIA_FOLDER } from './delivery-files.js';

/** Where a hard link cannot be made (another file system, one that has none), the file is copied. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK', 'EOPNOTSUPP']);

/**
 * Puts each approved take's video into the version's media folder under its delivered name: a hard
 * link (no second copy on disk, and the take's file is never written through it) or, where links
 * cannot be made, a copy. Returns the paths relative to the version, in the takes' order.
 */
export async function placeDeliveredMedia(dir: string, episode: string, takes: readonly ApprovedTake[]): Promise<string[]> {
  await mkdir(join(dir, MEDIA_FOLDER), { recursive: true });
  const paths: string[] = [];
  for (const take of takes) {
    const path = deliveredMediaPath(episode, take.sequenceId, take.take);
    await linkOrCopy(take.videoPath, join(dir, path));
    paths.push(path);
  }
  return paths;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    if (!NO_LINK.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await copyFile(from, to);
  }
}
