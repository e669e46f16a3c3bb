import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { GenerationRequest, WaitReason } from '../domain/generation-ledger.js';
import type { ProviderName } from '../domain/models.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';
import type { SequenceState } from '../domain/state-machine.js';

/**
 * What crosses the episode workflow's boundary: the signals its sequences send it, the budget
 * decision (an Update answered at once, and a signal for when no worker runs), and its status.
 */

export interface SequenceProgress {
  sequenceId: string;
  state: SequenceState;
  spentUsd: number;
  approvedTake?: number;
  /** The start frame it generates from, once it has one: a sequence ending on it waits for this. */
  startFramePath?: string;
  /** The sequence workflow has ended without approval (cancelled by a person): it will not come back. */
  closed?: boolean;
}

export interface Settlement {
  sequenceId: string;
  number: number;
  kind: GenerationRequest['kind'];
  actualUsd: number;
}

export interface BudgetChange {
  /** Makes the same change count once however it arrives; one a signal lacks is made up by the workflow. */
  requestId?: string;
  budgetUsd: number;
  by: string;
}

export interface BudgetRecord extends BudgetChange {
  requestId: string;
  at: string;
}

/** A sequence asks before every paid call; the episode answers with generationGranted when it fits. */
export const requestGenerationSignal = defineSignal<[GenerationRequest]>('requestGeneration');
export const settleGenerationSignal = defineSignal<[Settlement]>('settleGeneration');
export const sequenceProgressSignal = defineSignal<[SequenceProgress]>('sequenceProgress');
export const setBudgetSignal = defineSignal<[BudgetChange]>('setBudget');
export const setBudgetUpdate = defineUpdate<BudgetRecord, [BudgetChange]>('setBudget');
export const episodeStatusQuery = defineQuery<EpisodeStatus>('episodeStatus');

/**
 * Deliver again after a delivery was refused (a take folder gone, takes at different frame rates):
 * the person fixes what the reason names, then asks for it. Like every decision it exists as an
 * Update (answered at once) and as a signal (applied when a worker comes back), one handler and one
 * rule: it is refused unless the episode is `delivery_blocked`.
 */
export interface RedeliverRequest {
  /** Makes the same request count once however it arrives; one a signal lacks is made up by the workflow. */
  requestId?: string;
  by: string;
}

/** A redeliver request as the episode took it: accepted (a new attempt starts) or refused, with why. */
export interface RedeliverRecord {
  requestId: string;
  by: string;
  at: string;
  outcome: 'accepted' | 'refused';
  detail: string;
}

export const redeliverSignal = defineSignal<[RedeliverRequest]>('redeliver');
export const redeliverUpdate = defineUpdate<RedeliverRecord, [RedeliverRequest]>('redeliver');

/**
 * The episode's lifecycle: `running` while any sequence can change, `delivering` while the cut is
 * made, `delivery_blocked` when the delivery was refused and waits for a person's `redeliver`, then
 * `delivered` or `settled_with_failures`. `RecoilState` carries the same words, except that it stays
 * `running` while delivering.
 */
export type EpisodeState = 'running' | 'delivering' | 'delivery_blocked' | 'delivered' | 'settled_with_failures';

/** Why the delivery was refused, what to run once it is fixed, and since when it waits. */
export interface DeliveryBlock {
  reason: string;
  since: string;
  /** The delivery attempts refused so far (1 on the first refusal). */
  attempts: number;
  /** The project folder the episode was started from, for `recoil deliver <project-dir> <episode>`. */
  projectDir?: string;
}

export interface EpisodeInput {
  projectId: string;
  episode: string;
  units: SequenceUnit[];
  provider: ProviderName;
  maxParallel: number;
  maxTakes: number;
  /** Critic-rejected takes retaken automatically before a person is asked. */
  autoRetakes: number;
  /** The plan's budget, else the project's; absent means no cap. */
  budgetUsd?: number;
  /** Passed to every sequence (see SequenceInput). */
  heartbeatTimeoutSec?: number;
  retryCapSec?: number;
  /** How often fal's billing records are read while a cut-off submission is settled (tests shorten it). */
  recordsCheckEverySec?: number;
  startedBy: string;
}

export interface EpisodeStatus {
  projectId: string;
  episode: string;
  sequences: SequenceProgress[];
  generating: string[];
  waiting: { sequenceId: string; kind: GenerationRequest['kind']; reason: WaitReason; estimateUsd: number }[];
  maxParallel: number;
  budgetUsd?: number;
  spentUsd: number;
  reservedUsd: number;
  leftUsd?: number;
  budgetHistory: BudgetRecord[];
  deliveryPath?: string;
  done: boolean;
  state: EpisodeState;
  /** Present while the delivery was refused and waits for `redeliver`. */
  deliveryBlocked?: DeliveryBlock;
  /** Every redeliver request, accepted or refused, oldest first. */
  redeliveries: RedeliverRecord[];
}

/** What a board shows of an episode: its money, its state and what waits for budget; kept in its memo. */
export type EpisodeCard = Pick<EpisodeStatus, 'projectId' | 'episode' | 'budgetUsd' | 'spentUsd' | 'reservedUsd' | 'leftUsd' | 'state' | 'deliveryBlocked' | 'waiting'>;

/** The memo key the card is kept under, and the patch that began writing it (release 0.5.0). */
export const EPISODE_CARD_MEMO = 'card';
export const EPISODE_CARD_PATCH = 'episode-card-memo';
/** The patch that made a first run start its sequences in waves of its slots (release 0.6.0). */
export const SEQUENCES_START_IN_WAVES_PATCH = 'sequences-start-in-waves';

/** Only what waits for budget: the slot queue changes at every hand-over, and the board does not show it. */
export function episodeCard(status: EpisodeStatus): EpisodeCard {
  const { projectId, episode, budgetUsd, spentUsd, reservedUsd, leftUsd, state, deliveryBlocked } = status;
  return {
    projectId,
    episode,
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    spentUsd,
    reservedUsd,
    ...(leftUsd !== undefined ? { leftUsd } : {}),
    state,
    ...(deliveryBlocked ? { deliveryBlocked } : {}),
    waiting: status.waiting.filter((w) => w.reason === 'budget'),
  };
}

export interface EpisodeSummary {
  projectId: string;
  episode: string;
  approved: string[];
  failed: string[];
  spentUsd: number;
  deliveryPath?: string;
}
