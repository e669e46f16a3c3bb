import type { GridProvider } from '../activities/providers/grid-provider.js';
import type { VideoProviders } from '../activities/providers/provider.js';
import { createFalProvider } from '../activities/providers/fal/fal-provider.js';
import { createGeminiGridProvider } from '../activities/providers/gemini/gemini-grid-provider.js';
import { createLocalGridProvider } from '../activities/providers/local/local-grid-provider.js';
import { createLocalProvider } from '../activities/providers/local/local-provider.js';
import type { Pricing } from '../domain/price-table.js';

export interface WorkerProviders {
  providers: VideoProviders;
  gridProviders: Partial<Record<GridProvider['name'], GridProvider>>;
}

/**
 * The providers a worker offers, configured from its own environment: the keys are read here and
 * stay inside the provider objects, never in workflow or activity arguments.
 */
export function providersFromEnv(artifactsRoot: string, pricing: Pricing, env: NodeJS.ProcessEnv = process.env): WorkerProviders {
  const providers: VideoProviders = { local: createLocalProvider({ latencyMs: Number(env.RECOIL_LOCAL_LATENCY_MS ?? 0) || 0 }) };
  const gridProviders: WorkerProviders['gridProviders'] = { local: createLocalGridProvider() };
  if (env.FAL_KEY) {
    providers.fal = createFalProvider({
      credentials: env.FAL_KEY,
      uploadCacheDir: artifactsRoot,
      prices: pricing.table,
      ...(env.RECOIL_FAL_BASE_URL ? { baseUrl: env.RECOIL_FAL_BASE_URL } : {}),
      ...(env.RECOIL_FAL_POLL_MS ? { pollIntervalMs: Number(env.RECOIL_FAL_POLL_MS) } : {}),
    });
  }
  if (env.GEMINI_API_KEY) {
    gridProviders.gemini = createGeminiGridProvider({
      apiKey: env.GEMINI_API_KEY,
      model: pricing.gridModel,
      rate: pricing.gridRate,
    });
  }
  return { providers, gridProviders };
}
