import { relative, sep } from 'node:path';

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
