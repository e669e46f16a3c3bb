import { z } from 'zod';

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
 * change more often than the pipeline does. Every paid video model must have a row. The schema has a
 * module of its own so that the arithmetic in price-table.ts, which workflows use, pulls no zod into
 * the workflow bundle.
 */
export const PriceTableSchema = z.strictObject({
  notes: z.string().optional(),
  video_usd_per_second: z.strictObject({ 'kling-o3': VideoRateSchema, 'kling-o3-pro': VideoRateSchema }),
  gemini_image_models: z.record(z.string().min(1), ImageRateSchema),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;
