import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { SequenceRef, TakeRef } from '../../contract/activities.js';
import { sequenceArtifactsPath, takeFolderName } from '../../domain/ids.js';
import { firstFreeNumber } from '../numbered-folders.js';
import { MANIFEST_FILE, readManifest, writeManifest, type TakeManifest } from './take-manifest.js';


export function takesDir(root: string, ref: SequenceRef): string {
  return join(root, sequenceArtifactsPath(ref.projectId, ref.episode, ref.sequenceId), 'takes');
}

export function takeDir(root: string, ref: TakeRef): string {
  return join(takesDir(root, ref), takeFolderName(ref.take));
}

/** The first take number no folder uses yet, so a new run never lands on an earlier run's take. */
export function firstFreeTakeNumber(root: string, ref: SequenceRef): Promise<number> {
  return firstFreeNumber(takesDir(root, ref), 't');
}

/**
 * Claims the take folder with its first manifest in one rename, so the folder never exists
 * without a manifest saying whose it is. Returns the manifest now on disk: ours, new or resumed.
 * Another workflow's folder is never touched.
 */
export async function claimTakeFolder(root: string, manifest: TakeManifest): Promise<TakeManifest> {
  const dir = takeDir(root, manifest);
  const existing = await readManifest(join(dir, MANIFEST_FILE));
  if (existing) return ensureOwner(existing, manifest);
  await mkdir(takesDir(root, manifest), { recursive: true });
  const staging = await mkdtemp(join(takesDir(root, manifest), `.${takeFolderName(manifest.take)}-`));
  await writeManifest(join(staging, MANIFEST_FILE), manifest);
  await chmod(staging, 0o755); // mkdtemp makes it private; a take folder is shared with the team
  try {
    await rename(staging, dir);
    return manifest;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
    const winner = await readManifest(join(dir, MANIFEST_FILE));
    if (!winner) throw takeConflict(dir, 'it exists without a take.json');
    return ensureOwner(winner, manifest);
  }
}

function ensureOwner(existing: TakeManifest, mine: TakeManifest): TakeManifest {
  if (existing.owner.workflowId === mine.owner.workflowId && existing.owner.runId === mine.owner.runId) return existing;
  throw takeConflict(
    `${existing.sequenceId} take ${existing.take}`,
    `it belongs to workflow run ${existing.owner.workflowId} (${existing.owner.runId})`,
  );
}

function takeConflict(what: string, why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`refusing to overwrite ${what}: ${why}`, 'TakeConflict');
}
