import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding Recoil's package.json. Code runs both from `src/` (tests, tsx) and compiled from
 * `dist/app-*` (the CLI and the worker), at different depths, so files shipped beside the code (prices,
 * the example, the console's static files, the workflow sources) are found from here, not by `../`.
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The release in package.json: the first half of every build id, and the version traces carry. */
export const RECOIL_VERSION = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;

/** A path inside the package, e.g. `packagePath('config', 'prices.json')`. */
export function packagePath(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'install', 'package-root.ts'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Recoil package.json above ${from}`);
  }
}
