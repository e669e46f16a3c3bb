import { z } from 'zod';
import { usageError } from '../domain/cli-error.js';
import { DEFAULT_LIFETIMES, type FalStorageLifetimes } from '../activities/providers/fal/storage-lifecycle.js';

/** Shorter than this, an upload could expire before fal's runner fetches it, or a video before we do. */
const MIN_LIFETIME_SEC = 300;

/** fal takes whole seconds. */
const lifetimeSeconds = z.string().trim().regex(/^\d+$/).transform(Number).pipe(z.number().min(MIN_LIFETIME_SEC));

const SETTINGS = {
  RECOIL_FAL_STORAGE_EXPIRES_SEC: { key: 'uploadSec', what: 'how long fal keeps the reference images and start frames we upload' },
  RECOIL_FAL_VIDEO_EXPIRES_SEC: { key: 'videoSec', what: 'how long fal keeps the videos it makes, until we have downloaded them' },
} as const satisfies Record<string, { key: keyof FalStorageLifetimes; what: string }>;

/** The lifetimes of what the worker leaves on fal's CDN; a bad value stops the worker with exit 2. */
export function falStorageFromEnv(env: NodeJS.ProcessEnv): FalStorageLifetimes {
  const lifetimes = { ...DEFAULT_LIFETIMES };
  for (const [name, { key, what }] of Object.entries(SETTINGS)) {
    const value = env[name];
    // Blank is unset, so a compose file can pass an empty variable through.
    if (value === undefined || value.trim() === '') continue;
    const parsed = lifetimeSeconds.safeParse(value);
    if (!parsed.success) {
      throw usageError(`${name} is "${value}": set it to a whole number of seconds, at least ${MIN_LIFETIME_SEC} (${what}), or leave it unset for ${DEFAULT_LIFETIMES[key]}`);
    }
    lifetimes[key] = parsed.data;
  }
  return lifetimes;
}
