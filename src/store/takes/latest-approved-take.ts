import { join } from 'node:path';
import type { SequenceRef } from '../../contract/activities.js';
import type { ArtifactStore } from '../artifact-store.js';
import { folderNumbers } from '../numbered-folders.js';
import { takeDir, takesDir } from './take-folders.js';
import { MANIFEST_FILE, readManifest } from './take-manifest.js';

/** The newest take of a sequence whose take.json records an approval, from any run; undefined when none does. */
export async function latestApprovedTake(store: ArtifactStore, ref: SequenceRef): Promise<number | undefined> {
  const numbers = (await folderNumbers(store, takesDir(store.root, ref), 't')).sort((a, b) => b - a);
  for (const take of numbers) {
    const manifest = await readManifest(store, join(takeDir(store.root, { ...ref, take }), MANIFEST_FILE));
    if (manifest?.decisions.some((d) => d.decision === 'approved')) return take;
  }
  return undefined;
}
