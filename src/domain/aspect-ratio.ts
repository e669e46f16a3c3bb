/**
 * The project's aspect ratio is the ONE place a ratio is chosen (seed risk 2: a hard-coded 9:16).
 * Every resolution handed to a provider is derived here.
 */
export const ASPECT_RATIOS = ['16:9', '9:16', '1:1'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export interface Resolution {
  width: number;
  height: number;
}

/** What each video model renders for a ratio. */
const VIDEO_RESOLUTIONS: Record<AspectRatio, Resolution> = {
  '16:9': { width: 1280, height: 720 },
  '9:16': { width: 720, height: 1280 },
  '1:1': { width: 960, height: 960 },
};

/** Gemini 2.5 flash image's 1K output sizes, as Google lists them; grids are checked by ratio, not exact pixels. */
const GRID_RESOLUTIONS: Record<AspectRatio, Resolution> = {
  '16:9': { width: 1344, height: 768 },
  '9:16': { width: 768, height: 1344 },
  '1:1': { width: 1024, height: 1024 },
};

export function videoResolution(ratio: AspectRatio): Resolution {
  return VIDEO_RESOLUTIONS[ratio];
}

export function gridResolution(ratio: AspectRatio): Resolution {
  return GRID_RESOLUTIONS[ratio];
}

function ratioValue(ratio: AspectRatio): number {
  const [w, h] = ratio.split(':').map(Number) as [number, number];
  return w / h;
}

/** True when a width×height matches the ratio within a relative tolerance (encoders round to even sizes). */
export function matchesRatio(size: Resolution, ratio: AspectRatio, tolerance = 0.02): boolean {
  return Math.abs(size.width / size.height / ratioValue(ratio) - 1) <= tolerance;
}
