import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccountSlotsState, SlotClaim } from '../domain/account-slots.js';

/** Messages of the account gate: one workflow per provider account and task queue, shared by every episode it serves. */

export interface AccountGateInput {
  /** The provider whose account the gate guards, e.g. "fal". */
  account: string;
  state: AccountSlotsState;
  /** While someone waits, how often the gate checks that every holder still exists (tests shorten it). */
  checkHoldersEverySec?: number;
}

/** A claim, with the capacity the asking worker is configured with. */
export type SlotAsk = SlotClaim & { capacity: number };
export type SlotRef = Pick<SlotClaim, 'holder' | 'ticket'>;

/** What a claim learns at once: granted, or in line (the grant then comes as a signal). */
export interface SlotAnswer {
  granted: boolean;
}

/**
 * Sent to the gate (with update-with-start) by the workflow that needs a slot: a free slot is
 * granted in the answer, which saves the hand-over a signal back and a workflow task.
 */
export const claimAccountSlotUpdate = defineUpdate<SlotAnswer, [SlotAsk]>('claimAccountSlot');
/** The same ask as a signal (with signal-with-start), as builds before 0.6.0 send it: always answered by a signal. */
export const askAccountSlotSignal = defineSignal<[SlotAsk]>('askAccountSlot');
/** The patch that made sequences claim with the Update, and stop reporting on the way from a grant to the submission. */
export const QUICK_HAND_OVER_PATCH = 'quick-slot-hand-over';
/** Sent to the gate when the provider has finished the job, or the claim is withdrawn. */
export const releaseAccountSlotSignal = defineSignal<[SlotRef]>('releaseAccountSlot');
/** Sent by the gate to the holder when its claim is granted. */
export const accountSlotGrantedSignal = defineSignal<[{ ticket: string }]>('accountSlotGranted');
export const accountGateQuery = defineQuery<AccountSlotsState>('accountGate');
