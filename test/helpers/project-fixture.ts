import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundled example every fixture starts from. */
export const EXAMPLE_PROJECT = fileURLToPath(new URL('../../examples/driver-beware/', import.meta.url));

/** Fixtures are broken on purpose, so their JSON is loosely typed. */
type Json = any;

/** A copy of the example, open for editing before it is written to disk. */
export interface ProjectFiles {
  /** The copy's folder, for edits the helpers below don't cover (e.g. symlinks). */
  dir: string;
  /** project.json, client_bible.json and plans/ep_001_plan.json, parsed: edit them in place. */
  project: Json;
  bible: Json;
  plan: Json;
  /** Writes a file (relative to the folder) after the JSON above, so it wins over it. */
  write(file: string, content: string | Uint8Array): void;
  /** Removes a file or folder (relative to the folder) after the JSON above is written. */
  remove(file: string): void;
}

const JSON_FILES = { project: 'project.json', bible: 'client_bible.json', plan: 'plans/ep_001_plan.json' } as const;

const created: string[] = [];

/** Copies the example to a fresh temp folder, applies `mutate`, and returns the folder. */
export async function makeProject(mutate?: (files: ProjectFiles) => unknown): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'recoil-fixture-'));
  created.push(dir);
  await cp(EXAMPLE_PROJECT, dir, { recursive: true });
  const later: Array<() => Promise<void>> = [];
  const files: ProjectFiles = {
    dir,
    project: await readJson(dir, JSON_FILES.project),
    bible: await readJson(dir, JSON_FILES.bible),
    plan: await readJson(dir, JSON_FILES.plan),
    write: (file, content) => later.push(() => writeFile(path.join(dir, file), content)),
    remove: (file) => later.push(() => rm(path.join(dir, file), { recursive: true, force: true })),
  };
  await mutate?.(files);
  for (const key of Object.keys(JSON_FILES) as Array<keyof typeof JSON_FILES>) {
    await writeFile(path.join(dir, JSON_FILES[key]), `${JSON.stringify(files[key], null, 2)}\n`);
  }
  for (const step of later) await step();
  return dir;
}

/** Deletes every folder made by makeProject; call it from afterAll. */
export async function removeFixtures(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

async function readJson(dir: string, file: string): Promise<Json> {
  return JSON.parse(await readFile(path.join(dir, file), 'utf8'));
}
