import { defineQuery, defineSignal } from '@temporalio/workflow';
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

/** Sent to the gate (with signal-with-start) by the workflow that needs a slot. */
export const askAccountSlotSignal = defineSignal<[SlotAsk]>('askAccountSlot');
/** Sent to the gate when the provider has finished the job, or the claim is withdrawn. */
export const releaseAccountSlotSignal = defineSignal<[SlotRef]>('releaseAccountSlot');
/** Sent by the gate to the holder when its claim is granted. */
export const accountSlotGrantedSignal = defineSignal<[{ ticket: string }]>('accountSlotGranted');
export const accountGateQuery = defineQuery<AccountSlotsState>('accountGate');
