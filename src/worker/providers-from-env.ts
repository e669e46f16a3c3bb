import type { VideoProviders } from '../activities/providers/provider.js';
import { createLocalProvider } from '../activities/providers/local/local-provider.js';

/** The providers a worker offers, configured from its own environment (secrets stay here). */
export function providersFromEnv(env: NodeJS.ProcessEnv = process.env): VideoProviders {
  return {
    local: createLocalProvider({ latencyMs: Number(env.RECOIL_LOCAL_LATENCY_MS ?? 0) || 0 }),
  };
}
