import { defineSignal } from '@temporalio/workflow';
import type { TakeBilling, UnclaimedCharge } from '../domain/billing-reconciliation.js';
import type { EndpointPrice } from '../domain/price-check.js';

/**
 * Reconciliation with fal's bill (docs/money.md): what the reconcile workflow asks of its activity,
 * what it learns, and the signals that bring fal's billed costs to the episodes and sequences that
 * count them. Nothing here carries a secret or client text.
 */

/** The Temporal Schedule that reconciles every 15 minutes. */
export const RECONCILE_SCHEDULE_ID = 'recoil-reconcile';
export const RECONCILE_EVERY = '15m';

/** What `recoil reconcile` may ask; the Schedule asks nothing (from the last reading, every project). */
export interface ReconcileInput {
  /** Read fal's records from this moment (ISO) instead of from the last reading. */
  since?: string;
  /** Reconcile only this project's takes (unclaimed charges are the account's, whatever the project). */
  projectId?: string;
}

export interface ReconcileRequest extends ReconcileInput {
  /** When the reconcile workflow started (ISO): takes reconciled since then are reported, even by an attempt that crashed after writing them. */
  startedAt: string;
}

/** One take whose cost fal's records settled. */
export interface BilledTake {
  projectId: string;
  episode: string;
  sequenceId: string;
  take: number;
  kind: 'video';
  billing: TakeBilling;
  /** What Recoil had counted before: the price table's figure or the estimate. */
  recordedUsd: number;
}

export interface ReconcileReport {
  /** False when the worker cannot read fal's records (no FAL_ADMIN_KEY, or fal refused): `why` says what to do. */
  readable: boolean;
  why?: string;
  /** The window of fal's records read (ISO). */
  since?: string;
  until?: string;
  /** Every take whose billing was written by this reconciliation (billed or not charged). */
  reconciled: BilledTake[];
  /** Billed requests no take claims, across the account (earlier readings included). */
  unclaimed: UnclaimedCharge[];
  /** fal's own prices for the endpoints the price table holds; absent when they could not be read (`pricesError`). */
  falPrices?: EndpointPrice[];
  pricesError?: string;
}

/** fal's billed costs of some takes of one episode, sent to its episode and sequences (absolute, so repeating them is harmless). */
export interface TakesBilled {
  takes: { sequenceId: string; take: number; usd: number }[];
}

export const takesBilledSignal = defineSignal<[TakesBilled]>('takesBilled');
