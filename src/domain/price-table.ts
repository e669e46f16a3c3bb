import { z } from 'zod';
import { MODELS, type ModelName } from './models.js';

const usd = z.number().nonnegative().finite();

const VideoRateSchema = z.strictObject({
  audio_off: usd.describe('USD per second of video without audio'),
  audio_on: usd.describe('USD per second of video with audio'),
});

const ImageRateSchema = z.strictObject({
  usd_per_million_output_tokens: usd,
  /** Stands in for the IMAGE token count when a response reports none, and for estimates. */
  output_tokens_per_image: z.number().int().positive(),
});
export type ImageRate = z.infer<typeof ImageRateSchema>;

/**
 * The one price table (config/prices.json, docs/money.md). It is configuration, not code: prices
 * change more often than the pipeline does. Every paid video model must have a row.
 */
export const PriceTableSchema = z.strictObject({
  notes: z.string().optional(),
  video_usd_per_second: z.strictObject({ 'kling-o3': VideoRateSchema, 'kling-o3-pro': VideoRateSchema }),
  gemini_image_models: z.record(z.string().min(1), ImageRateSchema),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;
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
