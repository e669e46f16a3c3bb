import { join } from 'node:path';
import { versionName } from '../../domain/editorial/cut.js';
import { deliveryArtifactsPath } from '../../domain/ids.js';
import { readJson, type ArtifactStore } from '../artifact-store.js';
import { folderNumbers } from '../numbered-folders.js';
import { deliveryFiles } from './delivery-files.js';
import { readDeliveryManifest, type DeliveredFile, type DeliveredTake } from './delivery-manifest.js';

/** One delivered version as `status` and the console show it. */
export interface DeliverySummary {
  version: number;
  /** "v001" */
  name: string;
  /** Where the version is kept: a folder, or its s3:// location. */
  dir: string;
  takes: DeliveredTake[];
  /** Versions made before the editorial hand-off existed have no manifest.json: only the cut and its takes. */
  createdAt: string | null;
  durationSec: number | null;
  frameRate: string | null;
  totalSpendUsd: number | null;
  files: DeliveredFile[];
}

export function deliveriesDir(artifactsRoot: string, projectId: string, episode: string): string {
  return join(artifactsRoot, deliveryArtifactsPath(projectId, episode));
}

/** Every delivered version of an episode, oldest first; none when nothing was delivered yet. */
export async function listDeliveries(store: ArtifactStore, projectId: string, episode: string): Promise<DeliverySummary[]> {
  const root = deliveriesDir(store.root, projectId, episode);
  const versions = (await folderNumbers(store, root, 'v')).sort((a, b) => a - b);
  return Promise.all(versions.map((version) => readVersion(store, join(root, versionName(version)), version, episode)));
}

async function readVersion(store: ArtifactStore, dir: string, version: number, episode: string): Promise<DeliverySummary> {
  const base = { version, name: versionName(version), dir: store.location(dir) };
  const manifest = await readDeliveryManifest(store, dir);
  if (manifest) {
    const { takes, createdAt, durationSec, frameRate, totalSpendUsd, files } = manifest;
    return { ...base, takes, createdAt, durationSec, frameRate, totalSpendUsd, files };
  }
  // An old version whose cut never got written (a crash mid-way) holds nothing to compare with.
  const takes = (await store.stat(join(dir, deliveryFiles(episode).cut))) ? await legacyTakes(store, dir) : [];
  return { ...base, takes, createdAt: null, durationSec: null, frameRate: null, totalSpendUsd: null, files: [] };
}

/** Before manifest.json, a version recorded its takes as `[[sequenceId, take], …]` in .signature. */
async function legacyTakes(store: ArtifactStore, dir: string): Promise<DeliveredTake[]> {
  try {
    return ((await readJson<[string, number][]>(store, join(dir, '.signature'))) ?? []).map(([sequenceId, take]) => ({ sequenceId, take }));
  } catch {
    return [];
  }
}
