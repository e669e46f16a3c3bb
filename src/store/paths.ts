import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Whether `path` is `root` or inside it (both absolute). */
export function isUnder(root: string, path: string): boolean {
  const rest = relative(root, path);
  return rest === '' || (!rest.startsWith('..') && !rest.startsWith(sep));
}

/** `path` below `root` with forward slashes, as an object key's tail. */
export function keyTail(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

export function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Every file below a local folder, as paths relative to it with forward slashes, hidden ones included. */
export async function filesBelow(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesBelow(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`])));
  return nested.flat();
}
