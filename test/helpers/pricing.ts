import { loadPricing } from '../../src/config/pricing.js';
import type { Pricing } from '../../src/domain/price-table.js';
import { toSequenceUnits, type SequenceUnit } from '../../src/domain/sequence-unit.js';
import { loadEpisode } from '../../src/project/load-episode.js';

/** The shipped price table (config/prices.json) with the default grid model, as a worker without overrides reads it. */
export async function shippedPricing(): Promise<Pricing> {
  const loaded = await loadPricing({});
  if (!loaded.ok) throw new Error(`config/prices.json is invalid: ${JSON.stringify(loaded.issues)}`);
  return loaded.pricing;
}

/** An episode of a project folder as the CLI resolves it: checked, then priced into units. */
export async function loadEpisodeUnits(projectDir: string, episode: string): Promise<SequenceUnit[]> {
  const [loaded, pricing] = await Promise.all([loadEpisode(projectDir, episode), shippedPricing()]);
  if (!loaded.ok) throw new Error(`${projectDir} ${episode} is invalid: ${JSON.stringify(loaded.issues)}`);
  return toSequenceUnits({ ...loaded, pricing });
}
