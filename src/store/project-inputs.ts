import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SequenceUnit } from '../domain/sequence-unit.js';
import { unitProjectFiles } from '../domain/unit-files.js';
import { fetched, type ArtifactStore } from './artifact-store.js';

/** Where a project's input files are kept in a bucket, beside its takes: `.projects/<project id>/`. */
const PROJECTS_FOLDER = '.projects';

/**
 * Puts the project files an episode's sequences read (reference images and videos, plan frames)
 * into a bucket, and points the sequences at that copy: a worker on another machine then needs no
 * copy of the project folder. A folder store needs none of this: its workers read the project
 * where the CLI found it. A file edited and run again replaces the stored one, as in the folder.
 */
export async function storeProjectInputs(store: ArtifactStore, units: SequenceUnit[]): Promise<SequenceUnit[]> {
  if (store.kind === 'folder' || units.length === 0) return units;
  const { projectId, projectDir } = units[0]!;
  const storedDir = join(store.root, PROJECTS_FOLDER, projectId);
  const files = [...new Set(units.flatMap(unitProjectFiles))];
  for (const file of files) {
    const copy = join(storedDir, file);
    await mkdir(dirname(copy), { recursive: true });
    await copyFile(join(projectDir, file), copy);
    await store.publish(copy);
  }
  return units.map((unit) => ({ ...unit, projectDir: store.location(storedDir) }));
}

/**
 * A sequence as this process can read it: when its project files are in the store, they are fetched
 * into the mirror and the sequence points there; otherwise it reads the project folder itself.
 */
export async function withLocalProject(store: ArtifactStore, unit: SequenceUnit): Promise<SequenceUnit> {
  if (!store.holds(unit.projectDir)) return unit;
  const projectDir = store.pathOf(unit.projectDir);
  const missing = (file: string) => () => new Error(`${file} of project ${unit.projectId} is not in ${store.location(projectDir)}: run the episode again from its project folder`);
  await Promise.all(unitProjectFiles(unit).map((file) => fetched(store, join(projectDir, file), missing(file))));
  return { ...unit, projectDir };
}
