import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { packagePath } from '../install/package-root.js';

const PACKAGE_JSON = packagePath('package.json');
// The bundle's inline source map names the folder it was built in; only the code decides a replay.
const INLINE_SOURCE_MAP = /\n\/\/# sourceMappingURL=\S*\s*$/;

/** The release in package.json: the first half of every build id. */
export const RECOIL_VERSION = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;

/**
 * A build is its release and its exact workflow code: two workers share a build id only when they
 * would replay every history the same way, and any change to the workflow code makes a new build,
 * wherever it was checked out.
 */
export function buildIdOf(workflowCode: string, version = RECOIL_VERSION): string {
  const code = workflowCode.replace(INLINE_SOURCE_MAP, '');
  return `${version}-${createHash('sha256').update(code).digest('hex').slice(0, 12)}`;
}
