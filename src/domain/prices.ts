import type { ModelName } from './models.js';

/**
 * The price table: USD per second of output video, by audio on/off (providers.md §1.4),
 * and per image for grids. Prices change often; this is the one place to edit them.
 */
export const PRICES = {
  video: {
    'kling-o3': { audioOff: 0.084, audioOn: 0.112 },
    'kling-o3-pro': { audioOff: 0.112, audioOn: 0.14 },
    local: { audioOff: 0, audioOn: 0 },
  },
  image: {
    /** $30 per 1M output tokens, 1290 IMAGE tokens per 1K image. */
    'gemini-grid': { usdPerMillionTokens: 30, tokensPerImage: 1290 },
  },
} as const;

export type VideoModelName = keyof typeof PRICES.video;

export function isPricedVideoModel(model: ModelName): model is VideoModelName {
  return model in PRICES.video;
}

/** Cost of one multi-shot video: requested duration × the per-second rate. */
export function estimateVideoCostUsd(model: VideoModelName, durationSec: number, generateAudio: boolean): number {
  const rate = PRICES.video[model];
  return roundUsd(durationSec * (generateAudio ? rate.audioOn : rate.audioOff));
}

export function imageCostUsd(imageTokens: number = PRICES.image['gemini-grid'].tokensPerImage): number {
  return roundUsd((imageTokens * PRICES.image['gemini-grid'].usdPerMillionTokens) / 1_000_000);
}

/** Money is kept to a tenth of a cent to avoid floating drift in sums. */
export function roundUsd(value: number): number {
  return Math.round(value * 1000) / 1000;
}
