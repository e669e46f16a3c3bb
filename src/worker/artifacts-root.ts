import { resolve } from 'node:path';

/** Where takes, grids and deliveries are written: RECOIL_ARTIFACTS_DIR, else ./artifacts. */
export function artifactsRootFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.RECOIL_ARTIFACTS_DIR ?? 'artifacts');
}
