import { join } from 'node:path';
import { writeJson, type ArtifactStore } from '../artifact-store.js';
import type { UnclaimedCharge } from '../../domain/billing-reconciliation.js';
import type { EndpointPrice } from '../../domain/price-check.js';

/**
 * `.billing/reconciliation.json` under the artifacts root: what the last reading of fal's records
 * left for the next one and for people: how far the records were read, the billed requests no take
 * claims, and fal's own prices (for comparing with the price table). The fal account is shared by every
 * project under the root, so this is kept once, beside them.
 */
export interface ReconciliationRecord {
  schemaVersion: 1;
  /** fal's records were read up to here (ISO); the next reading starts a little before. */
  readUntil: string;
  unclaimed: UnclaimedCharge[];
  /** fal's own prices for the endpoints the price table holds, as last read. */
  falPrices?: { checkedAt: string; prices: EndpointPrice[] };
}

const RECONCILIATION_FILE = join('.billing', 'reconciliation.json');

export function reconciliationPath(root: string): string {
  return join(root, RECONCILIATION_FILE);
}

/** The last reading, or undefined before the first (or when the file was spoiled: the next reading writes it again). */
export async function readReconciliation(store: ArtifactStore): Promise<ReconciliationRecord | undefined> {
  const text = await store.readText(reconciliationPath(store.root));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as ReconciliationRecord;
  } catch {
    return undefined;
  }
}

export function writeReconciliation(store: ArtifactStore, record: ReconciliationRecord): Promise<void> {
  return writeJson(store, reconciliationPath(store.root), record);
}
