import { join } from 'node:path';
import { createJson, readJson, type ArtifactStore } from '../artifact-store.js';
import type { ProviderName } from '../../domain/models.js';
import type { TakeRef } from '../../contract/activities.js';
import { MANIFEST_FILE, readManifest, type TakeManifest } from './take-manifest.js';

/**
 * Which provider jobs belong to which take, across every project in the artifacts root: what a
 * cut-off submission is settled against. A take claims its job by recording its request id in
 * take.json; an adopted job is also claimed in `.provider-claims/`, atomically, so two takes
 * settled at once can never adopt the same job.
 */

const CLAIMS_DIR = '.provider-claims';

export interface StoredTake {
  manifest: TakeManifest;
  path: string;
}

/** Every take.json of this provider under the artifacts root (`<project>/<episode>/<sequence>/takes/tNNN`). */
export async function takesOfProvider(store: ArtifactStore, provider: ProviderName): Promise<StoredTake[]> {
  const takeDirs = await subfolders(store, store.root, 5, (level, name) => (level === 3 ? name === 'takes' : !name.startsWith('.')));
  const found = await Promise.all(
    takeDirs.map(async (dir) => {
      const path = join(dir, MANIFEST_FILE);
      const manifest = await readManifest(store, path).catch(() => undefined);
      return manifest?.provider === provider ? [{ manifest, path }] : [];
    }),
  );
  return found.flat();
}

/** Request ids claimed by adoption, with the take that claimed each. */
export async function adoptedJobs(store: ArtifactStore, provider: ProviderName): Promise<Map<string, TakeRef>> {
  const dir = join(store.root, CLAIMS_DIR, provider);
  const names = (await store.list(dir)).filter((n) => n.endsWith('.json'));
  const claims = await Promise.all(names.map(async (name) => [name.slice(0, -'.json'.length), await readJson<TakeRef>(store, join(dir, name))] as const));
  return new Map(claims.flatMap(([id, take]) => (take ? [[id, take] as const] : [])));
}

/**
 * Claims a provider job for a take: true when this take holds the claim (now or from an earlier
 * attempt), false when another take got there first.
 */
export async function claimJob(store: ArtifactStore, provider: ProviderName, requestId: string, take: TakeRef): Promise<boolean> {
  if (!/^[\w.-]+$/.test(requestId)) return false;
  const path = join(store.root, CLAIMS_DIR, provider, `${requestId}.json`);
  if (await createJson(store, path, refOf(take))) return true;
  const holder = await readJson<TakeRef>(store, path);
  return holder !== undefined && sameTake(holder, take);
}

export function sameTake(a: TakeRef, b: TakeRef): boolean {
  return a.projectId === b.projectId && a.episode === b.episode && a.sequenceId === b.sequenceId && a.take === b.take;
}

export function takeLabel(t: TakeRef): string {
  return `${t.projectId} ${t.episode} ${t.sequenceId} take ${t.take}`;
}

function refOf({ projectId, episode, sequenceId, take }: TakeRef): TakeRef {
  return { projectId, episode, sequenceId, take };
}

/** Folders `depth` levels below `dir` whose names `keep` accepts at each level. */
async function subfolders(store: ArtifactStore, dir: string, depth: number, keep: (level: number, name: string) => boolean, level = 0): Promise<string[]> {
  if (level === depth) return [dir];
  const names = (await store.list(dir)).filter((name) => keep(level, name));
  const below = await Promise.all(names.map((name) => subfolders(store, join(dir, name), depth, keep, level + 1)));
  return below.flat();
}
