import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** The release in package.json: the first half of every build id. */
export const RECOIL_VERSION = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;

/**
 * A build is its release and its exact workflow code: two workers share a build id only when they
 * would replay every history the same way, and any change to the workflow bundle makes a new build.
 */
export function buildIdOf(workflowCode: string, version = RECOIL_VERSION): string {
  return `${version}-${createHash('sha256').update(workflowCode).digest('hex').slice(0, 12)}`;
}
