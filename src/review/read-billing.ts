import { readReconciliation } from '../store/billing/reconciliation-file.js';
import { storedSpend, sumSpend, type Spend } from '../store/spent.js';
import type { UnclaimedCharge } from '../domain/billing-reconciliation.js';
import { priceDifferences, type EndpointPrice } from '../domain/price-check.js';
import { priceTablePath } from '../config/pricing.js';
import { roundUsd, type PriceTable } from '../domain/price-table.js';
import { storeFromEnv } from '../store/store-from-env.js';

/**
 * What fal's bill says, as the last reconciliation left it on disk: how much of an episode's spend
 * fal's records confirm, the billed requests no take claims (the account's, shown with every
 * episode), and the rates the price table has wrong. No server needed.
 */
export interface EpisodeBilling {
  spend: Spend;
  unclaimed: UnclaimedCharge[];
  /** When fal's records were last read; absent before the first reconciliation. */
  readUntil?: string;
}

export async function readEpisodeBilling(projectId: string, episode: string, sequenceIds: readonly string[], root = storeFromEnv()): Promise<EpisodeBilling> {
  const [spends, record] = await Promise.all([
    Promise.all(sequenceIds.map((sequenceId) => storedSpend(root, { projectId, episode, sequenceId }))),
    readReconciliation(root),
  ]);
  return { spend: sumSpend(spends), unclaimed: record?.unclaimed ?? [], ...(record ? { readUntil: record.readUntil } : {}) };
}

const usd = (v: number) => `$${v.toFixed(2)}`;

/** "billed $4.20 · estimated $1.10", or why nothing is billed yet. */
export function renderBilledSplit(billing: EpisodeBilling): string {
  const estimated = roundUsd(billing.spend.totalUsd - billing.spend.billedUsd);
  const read = billing.readUntil ? `fal's bill read ${billing.readUntil.slice(0, 16).replace('T', ' ')}` : "fal's bill not read yet: npx recoil reconcile";
  return `billed ${usd(billing.spend.billedUsd)} · estimated ${usd(estimated)} (${read})`;
}

export function renderUnclaimed(charges: readonly UnclaimedCharge[]): string {
  if (charges.length === 0) return '';
  const total = roundUsd(charges.reduce((sum, c) => sum + c.usd, 0));
  const lines = charges.map((c) => `  ${c.requestId}  ${c.billedAt.slice(0, 19).replace('T', ' ')}  ${usd(c.usd)}  ${c.endpoint} (${c.outputUnits} s)`);
  return [`fal billed ${charges.length} request${charges.length === 1 ? '' : 's'} no take claims (${usd(total)}): unclaimed charges`, ...lines].join('\n');
}

/** The price table against fal's prices as last read: a warning per rate that differs, or that they agree. */
export function renderPriceCheck(table: PriceTable, falPrices: readonly EndpointPrice[]): string {
  const differences = priceDifferences(table, falPrices);
  if (differences.length === 0) return `  the price table matches fal's prices (${priceTablePath()})`;
  return differences
    .map((d) => `! ${priceTablePath()} says ${d.model} costs $${d.tableUsd}/s without audio; fal charges this account $${d.falUsd}/${d.unit} (${d.endpoint}): update the table`)
    .join('\n');
}
