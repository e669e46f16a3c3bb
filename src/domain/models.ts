/** The model registry: one name per thing that can run, and what runs it. */
export const MODEL_NAMES = ['kling-o3', 'kling-o3-pro', 'gemini-grid', 'local'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const PROVIDER_NAMES = ['local', 'fal'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Who can draw a grid of start frames. */
export type GridProviderName = 'gemini' | 'local';

export interface ModelInfo {
  kind: 'video' | 'image';
  provider: 'fal' | 'gemini' | 'local';
  /** The provider's own id for it. */
  endpoint: string;
  paid: boolean;
  /**
   * The longest a job may run once the provider starts it: fal documents ~94 s (O3 standard) and
   * ~318 s (O3 pro) for a 5 s clip and stops requests after about 20 minutes.
   */
  longestRunSec?: number;
}

export const MODELS: Record<ModelName, ModelInfo> = {
  'kling-o3': { kind: 'video', provider: 'fal', endpoint: 'fal-ai/kling-video/o3/standard/reference-to-video', paid: true, longestRunSec: 1_200 },
  'kling-o3-pro': { kind: 'video', provider: 'fal', endpoint: 'fal-ai/kling-video/o3/pro/reference-to-video', paid: true, longestRunSec: 1_200 },
  'gemini-grid': { kind: 'image', provider: 'gemini', endpoint: 'gemini-2.5-flash-image', paid: true },
  local: { kind: 'video', provider: 'local', endpoint: 'local-animatic', paid: false },
};

export function isVideoModel(name: ModelName): boolean {
  return MODELS[name].kind === 'video';
}
