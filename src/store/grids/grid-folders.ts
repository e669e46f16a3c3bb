import { join } from 'node:path';
import type { AspectRatio, Resolution } from '../../domain/aspect-ratio.js';
import { gridFolderName, sequenceArtifactsPath } from '../../domain/ids.js';
import type { GridProviderName } from '../../domain/models.js';
import type { Quadrant } from '../../domain/quadrants.js';
import { readJson, writeJson, type ArtifactStore } from '../artifact-store.js';
import { firstFreeNumber, folderNumbers } from '../numbered-folders.js';
import type { SequenceRef } from '../../contract/activities.js';

export const GRID_IMAGE_FILE = 'grid.png';
export const GRID_MANIFEST_FILE = 'grid.json';
/** What the provider charged for grid.png, written before the image so a retry can resume from it. */
export const GRID_RECEIPT_FILE = '.receipt.json';

/** grids/g001, g002…: one folder per exploration, never reused (docs/output-layout.md). */
export function gridDir(root: string, ref: SequenceRef, grid: number): string {
  return join(root, sequenceArtifactsPath(ref.projectId, ref.episode, ref.sequenceId), 'grids', gridFolderName(grid));
}

/** The first grid number no folder uses yet, so a new exploration never lands on an earlier one. */
export function nextGridNumber(store: ArtifactStore, sequenceDir: string): Promise<number> {
  return firstFreeNumber(store, join(sequenceDir, 'grids'), 'g');
}

/** Whether a person has picked a quadrant of any of the sequence's grids. */
export async function anyGridChosen(store: ArtifactStore, sequenceDir: string): Promise<boolean> {
  const grids = await folderNumbers(store, join(sequenceDir, 'grids'), 'g');
  const manifests = await Promise.all(grids.map((grid) => readGridManifest(store, join(sequenceDir, 'grids', gridFolderName(grid)))));
  return manifests.some((manifest) => manifest?.chosen !== undefined);
}

export interface GridChoice {
  quadrant: Quadrant;
  by: string;
  at: string;
}

/** grid.json: everything about one grid, kept beside its images. Secrets never go here. */
export interface GridManifest {
  schemaVersion: 1;
  grid: number;
  prompt: string;
  provider: GridProviderName;
  model: string;
  costUsd: number;
  imageTokens?: number;
  aspectRatio: AspectRatio;
  /** The grid image as the provider returned it. */
  size: Resolution;
  /** Every quadrant's size: the video resolution of the project's ratio. */
  quadrantSize: Resolution;
  /** q1.png…q4.png, relative to the grid folder so the folder can be moved whole. */
  quadrants: string[];
  /** Whether fitting the quadrants to the video ratio cut pixels off their edges. */
  cropped: boolean;
  createdAt: string;
  /** Set when a person picks this grid's quadrant as the start frame. */
  chosen?: GridChoice;
}

export function readGridManifest(store: ArtifactStore, dir: string): Promise<GridManifest | undefined> {
  return readJson<GridManifest>(store, join(dir, GRID_MANIFEST_FILE));
}

/** Atomic: a reader (or a crash) sees the old manifest or the new one, never half of one. */
export function writeGridManifest(store: ArtifactStore, dir: string, manifest: GridManifest): Promise<void> {
  return writeJson(store, join(dir, GRID_MANIFEST_FILE), manifest);
}
