import { MODELS, type ModelName } from './models.js';
import { isPricedVideoModel, type PriceTable } from './price-table.js';

/**
 * The price table against fal's own prices (the Platform API's `GET /v1/models/pricing`). fal
 * publishes one unit price per endpoint: for Kling O3 the rate per second without audio, so that is
 * the rate compared; the audio rate has no published counterpart.
 */

/** fal's price for one endpoint, as its pricing API answers. */
export interface EndpointPrice {
  endpoint: string;
  unitPrice: number;
  unit: string;
  currency: string;
}

/** A rate of the price table that is not what fal charges. */
export interface PriceDifference {
  model: ModelName;
  endpoint: string;
  tableUsd: number;
  falUsd: number;
  unit: string;
}

/** The fal endpoints whose rates the table holds. */
export function pricedFalEndpoints(): { model: ModelName; endpoint: string }[] {
  return (Object.keys(MODELS) as ModelName[]).filter((m) => MODELS[m].provider === 'fal' && isPricedVideoModel(m)).map((model) => ({ model, endpoint: MODELS[model].endpoint }));
}

/** Every table rate fal prices differently (to a hundredth of a cent); an endpoint fal did not price is left out. */
export function priceDifferences(table: PriceTable, prices: readonly EndpointPrice[]): PriceDifference[] {
  return pricedFalEndpoints().flatMap(({ model, endpoint }) => {
    const fal = prices.find((p) => p.endpoint === endpoint && p.currency.toUpperCase() === 'USD');
    if (!fal || !isPricedVideoModel(model)) return [];
    const tableUsd = table.video_usd_per_second[model].audio_off;
    return Math.abs(tableUsd - fal.unitPrice) < 0.0001 ? [] : [{ model, endpoint, tableUsd, falUsd: fal.unitPrice, unit: fal.unit }];
  });
}
