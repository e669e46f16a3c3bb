import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { versionName } from '../../domain/editorial/cut.js';
import { deliveryArtifactsPath } from '../../domain/ids.js';
import { folderNumbers } from '../numbered-folders.js';
import { pathExists } from '../path-exists.js';
import { deliveryFiles } from './delivery-files.js';
import { readDeliveryManifest, type DeliveredFile, type DeliveredTake } from './delivery-manifest.js';

/** One delivered version as `status` and the console show it. */
export interface DeliverySummary {
  version: number;
  /** "v001" */
  name: string;
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
export async function listDeliveries(artifactsRoot: string, projectId: string, episode: string): Promise<DeliverySummary[]> {
  const root = deliveriesDir(artifactsRoot, projectId, episode);
  const versions = (await folderNumbers(root, 'v')).sort((a, b) => a - b);
  return Promise.all(versions.map((version) => readVersion(join(root, versionName(version)), version, episode)));
}

async function readVersion(dir: string, version: number, episode: string): Promise<DeliverySummary> {
  const base = { version, name: versionName(version), dir };
  const manifest = await readDeliveryManifest(dir);
  if (manifest) {
    const { takes, createdAt, durationSec, frameRate, totalSpendUsd, files } = manifest;
    return { ...base, takes, createdAt, durationSec, frameRate, totalSpendUsd, files };
  }
  // An old version whose cut never got written (a crash mid-way) holds nothing to compare with.
  const takes = (await pathExists(join(dir, deliveryFiles(episode).cut))) ? await legacyTakes(dir) : [];
  return { ...base, takes, createdAt: null, durationSec: null, frameRate: null, totalSpendUsd: null, files: [] };
}

/** Before manifest.json, a version recorded its takes as `[[sequenceId, take], …]` in .signature. */
async function legacyTakes(dir: string): Promise<DeliveredTake[]> {
  const text = await readFile(join(dir, '.signature'), 'utf8').catch(() => '[]');
  try {
    return (JSON.parse(text) as [string, number][]).map(([sequenceId, take]) => ({ sequenceId, take }));
  } catch {
    return [];
  }
}
