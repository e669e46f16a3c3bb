import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ProviderName } from '../domain/models.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';
import type { SequenceState } from '../domain/state-machine.js';

/** Messages of the episode workflow, shared by the sequence workflows and the CLI. */

export interface SlotRequest {
  sequenceId: string;
  take: number;
}

export interface SequenceProgress {
  sequenceId: string;
  state: SequenceState;
  spentUsd: number;
  approvedTake?: number;
}

/** A sequence asks for a generation slot; the episode answers with slotGranted when one is free. */
export const requestSlotSignal = defineSignal<[SlotRequest]>('requestSlot');
export const releaseSlotSignal = defineSignal<[SlotRequest]>('releaseSlot');
export const sequenceProgressSignal = defineSignal<[SequenceProgress]>('sequenceProgress');
export const episodeStatusQuery = defineQuery<EpisodeStatus>('episodeStatus');

export interface EpisodeInput {
  projectId: string;
  episode: string;
  units: SequenceUnit[];
  provider: ProviderName;
  maxParallel: number;
  maxTakes: number;
  startedBy: string;
}

export interface EpisodeStatus {
  projectId: string;
  episode: string;
  sequences: SequenceProgress[];
  generating: string[];
  queued: string[];
  maxParallel: number;
  deliveryPath?: string;
  done: boolean;
}

export interface EpisodeSummary {
  projectId: string;
  episode: string;
  approved: string[];
  failed: string[];
  spentUsd: number;
  deliveryPath?: string;
}
