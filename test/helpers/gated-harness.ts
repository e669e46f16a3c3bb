import { afterAll, beforeAll } from 'vitest';
import type { VideoProvider } from '../../src/activities/providers/provider.js';
import { renderFixtureVideo } from './fixture-video.js';
import { GatedProvider } from './gated-provider.js';
import { startHarness, type Harness } from './harness.js';

export interface GatedHarness {
  harness: Harness;
  gate: GatedProvider;
}

/**
 * A worker for this test file whose only video provider is a GatedProvider, registered under `as`
 * ('fal' makes the workflow treat it as paid). Started before the file's tests, stopped after.
 */
export function useGatedHarness(options: { autoOpenMs?: number; as?: VideoProvider['name'] } = {}): GatedHarness {
  const name = options.as ?? 'local';
  const context = {} as GatedHarness;
  beforeAll(async () => {
    context.gate = new GatedProvider(await renderFixtureVideo(), options.autoOpenMs);
    context.harness = await startHarness({ [name]: context.gate.provider(name) });
  });
  afterAll(async () => context.harness?.stop());
  return context;
}
