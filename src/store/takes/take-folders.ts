import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { SequenceRef, TakeRef } from '../../contract/activities.js';
import { sequenceArtifactsPath, takeFolderName } from '../../domain/ids.js';
import { firstFreeNumber } from '../numbered-folders.js';
import { createJson, type ArtifactStore } from '../artifact-store.js';
import { MANIFEST_FILE, readManifest, type TakeManifest } from './take-manifest.js';

export function takesDir(root: string, ref: SequenceRef): string {
  return join(root, sequenceArtifactsPath(ref.projectId, ref.episode, ref.sequenceId), 'takes');
}

export function takeDir(root: string, ref: TakeRef): string {
  return join(takesDir(root, ref), takeFolderName(ref.take));
}

/** The first take number no folder uses yet, so a new run never lands on an earlier run's take. */
export function firstFreeTakeNumber(store: ArtifactStore, ref: SequenceRef): Promise<number> {
  return firstFreeNumber(store, takesDir(store.root, ref), 't');
}

/**
 * Claims the take with its first manifest: take.json is created only if there is none, atomically
 * (a conditional write in a bucket, a hard link in a folder), so two claims never both win. Returns
 * the manifest now stored: ours, new or resumed. Another workflow's take is never touched.
 */
export async function claimTakeFolder(store: ArtifactStore, manifest: TakeManifest): Promise<TakeManifest> {
  const path = join(takeDir(store.root, manifest), MANIFEST_FILE);
  const existing = await readManifest(store, path);
  if (existing) return ensureOwner(existing, manifest);
  if (await createJson(store, path, manifest)) return manifest;
  const winner = await readManifest(store, path);
  if (!winner) throw takeConflict(store.location(path), 'another claim won but left no take.json');
  return ensureOwner(winner, manifest);
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
