import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

export interface TakeOnDisk {
  manifest: TakeManifest;
  path: string;
}

/** Every take.json of this provider under the artifacts root (`<project>/<episode>/<sequence>/takes/tNNN`). */
export async function takesOfProvider(root: string, provider: ProviderName): Promise<TakeOnDisk[]> {
  const takeDirs = await subfolders(root, 5, (level, name) => (level === 3 ? name === 'takes' : !name.startsWith('.')));
  const found = await Promise.all(
    takeDirs.map(async (dir) => {
      const path = join(dir, MANIFEST_FILE);
      const manifest = await readManifest(path).catch(() => undefined);
      return manifest?.provider === provider ? [{ manifest, path }] : [];
    }),
  );
  return found.flat();
}

/** Request ids claimed by adoption, with the take that claimed each. */
export async function adoptedJobs(root: string, provider: ProviderName): Promise<Map<string, TakeRef>> {
  const dir = join(root, CLAIMS_DIR, provider);
  const names = await readdir(dir).catch(() => [] as string[]);
  const claims = await Promise.all(
    names.filter((n) => n.endsWith('.json')).map(async (name) => [name.slice(0, -'.json'.length), JSON.parse(await readFile(join(dir, name), 'utf8')) as TakeRef] as const),
  );
  return new Map(claims);
}

/**
 * Claims a provider job for a take: true when this take holds the claim (now or from an earlier
 * attempt), false when another take got there first.
 */
export async function claimJob(root: string, provider: ProviderName, requestId: string, take: TakeRef): Promise<boolean> {
  if (!/^[\w.-]+$/.test(requestId)) return false;
  const dir = join(root, CLAIMS_DIR, provider);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${requestId}.json`);
  try {
    const file = await open(path, 'wx');
    await file.writeFile(JSON.stringify(refOf(take)));
    await file.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = JSON.parse(await readFile(path, 'utf8')) as TakeRef;
    return sameTake(holder, take);
  }
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
async function subfolders(dir: string, depth: number, keep: (level: number, name: string) => boolean, level = 0): Promise<string[]> {
  if (level === depth) return [dir];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const below = await Promise.all(entries.filter((e) => e.isDirectory() && keep(level, e.name)).map((e) => subfolders(join(dir, e.name), depth, keep, level + 1)));
  return below.flat();
}
