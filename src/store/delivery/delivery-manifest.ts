import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import writeFileAtomic from 'write-file-atomic';
import { readJson, type ArtifactStore } from '../artifact-store.js';
import { filesBelow } from '../paths.js';

export const DELIVERY_MANIFEST_FILE = 'manifest.json';

export interface DeliveredTake {
  sequenceId: string;
  take: number;
}

export interface DeliveredFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** manifest.json: what a delivered version holds, so a copy can be checked file by file. */
export interface DeliveryManifest {
  schemaVersion: 1;
  projectId: string;
  episode: string;
  version: number;
  createdAt: string;
  /** The approved takes in cut order: the same list again makes no new version. */
  takes: DeliveredTake[];
  durationSec: number;
  frameRate: string;
  width: number;
  height: number;
  totalSpendUsd: number;
  /** The part of totalSpendUsd fal's own records confirm (reconciled), and the part still Recoil's estimate. */
  billedSpendUsd: number;
  estimatedSpendUsd: number;
  files: DeliveredFile[];
}

/**
 * Written last into a version being built (a local folder, before it is published), listing every
 * other file of the folder (and of its media folder) with its size and sha256.
 */
export async function writeDeliveryManifest(dir: string, fields: Omit<DeliveryManifest, 'schemaVersion' | 'files'>): Promise<DeliveryManifest> {
  // Hidden scratch files and folders are not part of the version.
  const names = (await filesBelow(dir)).filter((name) => name !== DELIVERY_MANIFEST_FILE && !name.split('/').some((part) => part.startsWith('.'))).sort();
  const files = await Promise.all(names.map((name) => describeFile(dir, name)));
  const manifest: DeliveryManifest = { schemaVersion: 1, ...fields, files };
  await writeFileAtomic(join(dir, DELIVERY_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export function readDeliveryManifest(store: ArtifactStore, dir: string): Promise<DeliveryManifest | undefined> {
  return readJson<DeliveryManifest>(store, join(dir, DELIVERY_MANIFEST_FILE));
}

async function describeFile(dir: string, name: string): Promise<DeliveredFile> {
  const path = join(dir, name);
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return { path: name, bytes: (await stat(path)).size, sha256: hash.digest('hex') };
}
