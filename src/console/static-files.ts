import { readFile } from 'node:fs/promises';
import { packagePath } from '../install/package-root.js';

const TYPES = { 'console.js': 'text/javascript; charset=utf-8', 'console.css': 'text/css; charset=utf-8' } as const;
export type StaticName = keyof typeof TYPES;

/** The console's own script and style, read once: a fixed list, nothing else is served from disk. */
export async function loadStaticFiles(): Promise<Map<string, { body: string; type: string }>> {
  const files = new Map<string, { body: string; type: string }>();
  for (const [name, type] of Object.entries(TYPES)) {
    files.set(name, { body: await readFile(packagePath('src', 'console', 'static', name), 'utf8'), type });
  }
  return files;
}
