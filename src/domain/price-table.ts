import { MODELS, type ModelName } from './models.js';
import type { ImageRate, PriceTable } from './price-table-schema.js';

export type { ImageRate, PriceTable };

type PricedVideoModel = keyof PriceTable['video_usd_per_second'];

/** Paid video models: the schema requires a row for each (a domain test holds the two lists together). */
export function isPricedVideoModel(model: ModelName): model is PricedVideoModel {
  return MODELS[model].kind === 'video' && MODELS[model].paid;
}

/** Cost of one multi-shot video: fal charges the requested duration at the model's per-second rate. */
export function videoCostUsd(table: PriceTable, model: ModelName, durationSec: number, generateAudio: boolean): number {
  if (!isPricedVideoModel(model)) return 0;
  const rate = table.video_usd_per_second[model];
  return roundUsd(durationSec * (generateAudio ? rate.audio_on : rate.audio_off));
}

/** The rate of a Gemini image model, or undefined when the table has no row for it. */
export function imageRate(table: PriceTable, geminiModel: string): ImageRate | undefined {
  return Object.hasOwn(table.gemini_image_models, geminiModel) ? table.gemini_image_models[geminiModel] : undefined;
}

/** Cost of one grid from its IMAGE token count; the table's tokens per image when none was reported. */
export function imageCostUsd(rate: ImageRate, imageTokens: number = rate.output_tokens_per_image): number {
  return roundUsd((imageTokens * rate.usd_per_million_output_tokens) / 1_000_000);
}

/** Money is kept to a tenth of a cent to avoid floating drift in sums. */
export function roundUsd(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The price table with the grid model's row picked out: what estimates and providers need. */
export interface Pricing {
  table: PriceTable;
  /** The Gemini model id that draws grids. */
  gridModel: string;
  gridRate: ImageRate;
}
