import { createHash } from 'node:crypto';
import { RECOIL_VERSION } from '../install/package-root.js';

// The bundle's inline source map names the folder it was built in; only the code decides a replay.
const INLINE_SOURCE_MAP = /\n\/\/# sourceMappingURL=\S*\s*$/;

/**
 * A build is its release and its exact workflow code: two workers share a build id only when they
 * would replay every history the same way, and any change to the workflow code makes a new build,
 * wherever it was checked out.
 */
export function buildIdOf(workflowCode: string, version = RECOIL_VERSION): string {
  const code = workflowCode.replace(INLINE_SOURCE_MAP, '');
  return `${version}-${createHash('sha256').update(code).digest('hex').slice(0, 12)}`;
}
