import type { GridProvider } from '../activities/providers/grid-provider.js';
import type { VideoProviders } from '../activities/providers/provider.js';
import { usageError } from '../domain/cli-error.js';
import { createFalProvider } from '../activities/providers/fal/fal-provider.js';
import { createGeminiGridProvider } from '../activities/providers/gemini/gemini-grid-provider.js';
import { createLocalGridProvider } from '../activities/providers/local/local-grid-provider.js';
import { createLocalProvider } from '../activities/providers/local/local-provider.js';
import type { ProviderName } from '../domain/models.js';
import type { Pricing } from '../domain/price-table.js';
import { falStorageFromEnv } from './fal-storage-from-env.js';

export interface WorkerProviders {
  providers: VideoProviders;
  gridProviders: Partial<Record<GridProvider['name'], GridProvider>>;
  /** Jobs in flight per provider account, shared by every episode on the task queue. */
  accountLimits: Partial<Record<ProviderName, number>>;
}

/** A new fal account runs two jobs at once; fal raises it with the account's credit. */
const DEFAULT_FAL_CONCURRENCY = 2;

/**
 * The providers a worker offers, configured from its own environment: the keys are read here and
 * stay inside the provider objects, never in workflow or activity arguments.
 */
export function providersFromEnv(artifactsRoot: string, pricing: Pricing, env: NodeJS.ProcessEnv = process.env): WorkerProviders {
  const providers: VideoProviders = { local: createLocalProvider({ latencyMs: Number(env.RECOIL_LOCAL_LATENCY_MS ?? 0) || 0 }) };
  const gridProviders: WorkerProviders['gridProviders'] = { local: createLocalGridProvider() };
  const accountLimits: WorkerProviders['accountLimits'] = {};
  if (env.FAL_KEY) {
    accountLimits.fal = falConcurrency(env.RECOIL_FAL_CONCURRENCY);
    providers.fal = createFalProvider({
      credentials: env.FAL_KEY,
      uploadCacheDir: artifactsRoot,
      prices: pricing.table,
      ...(env.RECOIL_FAL_BASE_URL ? { baseUrl: env.RECOIL_FAL_BASE_URL } : {}),
      ...(env.RECOIL_FAL_POLL_MS ? { pollIntervalMs: Number(env.RECOIL_FAL_POLL_MS) } : {}),
      ...(env.FAL_ADMIN_KEY ? { adminKey: env.FAL_ADMIN_KEY } : {}),
      storageLifetimes: falStorageFromEnv(env),
      ...optionalSeconds(env, 'RECOIL_FAL_SUBMIT_TIMEOUT_SEC', (ms) => ({ submitTimeoutMs: ms })),
      settlement: {
        ...optionalSeconds(env, 'RECOIL_FAL_LONGEST_RUN_SEC', (ms) => ({ longestRunMs: ms })),
        ...optionalSeconds(env, 'RECOIL_FAL_RECORDS_LAG_SEC', (ms) => ({ recordsLagMs: ms })),
      },
    });
  }
  if (env.GEMINI_API_KEY) {
    gridProviders.gemini = createGeminiGridProvider({
      apiKey: env.GEMINI_API_KEY,
      model: pricing.gridModel,
      rate: pricing.gridRate,
    });
  }
  return { providers, gridProviders, accountLimits };
}

/** A duration in seconds from the environment, as milliseconds; absent or blank means the default. */
function optionalSeconds<T>(env: NodeJS.ProcessEnv, name: string, use: (ms: number) => T): T | Record<string, never> {
  const value = env[name];
  if (value === undefined || value.trim() === '') return {};
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`${name} is "${value}": set it to a number of seconds above 0, or leave it unset for the default`);
  return use(seconds * 1_000);
}

function falConcurrency(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_FAL_CONCURRENCY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw usageError(`RECOIL_FAL_CONCURRENCY is "${value}": set it to how many jobs your fal account runs at once (a whole number, 2 for a new account)`);
  }
  return n;
}
