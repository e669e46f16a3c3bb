import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Accepts a project id or a project folder (whose project.json names the id). */
export async function resolveProjectId(idOrDir: string): Promise<string> {
  try {
    const project = JSON.parse(await readFile(join(idOrDir, 'project.json'), 'utf8')) as { id?: unknown };
    if (typeof project.id === 'string') return project.id;
  } catch {
    // Not a folder with a project.json: take it as an id.
  }
  return idOrDir;
}
