import { gridResolution } from '../../../domain/aspect-ratio.js';
import type { GridProvider } from '../grid-provider.js';
import { renderGrid } from './cards.js';
import { withRenderSlot } from './render-slots.js';

const LOCAL_GRID_MODEL = 'local-grid';

/** The offline grid provider: drawn on this machine at the size Gemini would return, free. */
export function createLocalGridProvider(): GridProvider {
  return {
    name: 'local',
    async generateGrid({ prompt, aspectRatio, seed }) {
      const png = await withRenderSlot(() => renderGrid({ ...gridResolution(aspectRatio), prompt, seed }));
      return { png, mimeType: 'image/png', costUsd: 0, model: LOCAL_GRID_MODEL };
    },
  };
}
