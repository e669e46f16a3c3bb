import type { GridProviderName } from '../../domain/models.js';
import type { AspectRatio } from '../../domain/aspect-ratio.js';

export interface GridRequest {
  prompt: string;
  aspectRatio: AspectRatio;
  /** Makes offline grids reproducible; a remote model may ignore it. */
  seed: string;
  signal?: AbortSignal;
}

export interface GridImage {
  png: Buffer;
  mimeType: string;
  costUsd: number;
  /** The IMAGE output tokens billed, when the provider reports them. */
  imageTokens?: number;
  /** The provider's own model id, for the grid manifest. */
  model: string;
}

/** The failure type of an answer that came back without an image: asked once more, then final. */
export const IMAGELESS = 'NoImage';

/** Makes one 2x2 grid of start-frame options for a prompt (the frame_generating state, docs/lifecycle.md). */
export interface GridProvider {
  readonly name: GridProviderName;
  generateGrid(req: GridRequest): Promise<GridImage>;
}
