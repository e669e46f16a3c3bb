import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { DeliveryRequest } from '../contract/activities.js';
import { GenerationLedger, type GenerationRequest } from '../domain/generation-ledger.js';
import { sequenceWorkflowId } from '../domain/ids.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';
import {
  EPISODE_CARD_MEMO,
  EPISODE_CARD_PATCH,
  episodeCard,
  SEQUENCES_START_IN_WAVES_PATCH,
  episodeStatusQuery,
  redeliverSignal,
  redeliverUpdate,
  requestGenerationSignal,
  sequenceProgressSignal,
  setBudgetSignal,
  setBudgetUpdate,
  settleGenerationSignal,
  type BudgetChange,
  type BudgetRecord,
  type DeliveryBlock,
  type EpisodeInput,
  type EpisodeState,
  type EpisodeStatus,
  type RedeliverRecord,
  type RedeliverRequest,
  type EpisodeSummary,
  type SequenceProgress,
} from '../contract/episode.js';
import { RecoilCostUsd, RecoilEpisode, RecoilProject, RecoilSequence, RecoilState } from '../contract/search-attributes.js';
import { attachToEpisodeSignal, frameLinkSignal, generationGrantedSignal, generationWaitingSignal } from '../contract/sequence.js';
import { failureMessage } from './failure-message.js';
import { FrameLinkRelay } from './frame-link-relay.js';
import { MemoCard } from './memo-card.js';
import { bookkeepingTimeout, DEFAULT_HEARTBEAT_TIMEOUT_SEC, retryUntilItPasses } from './sequence-activities.js';
import { sequenceWorkflow } from './sequence-workflow.js';
import { onSignal } from './signal-handler.js';
import { takesBilledSignal } from '../contract/billing.js';


/**
 * One episode: starts a sequence workflow per sequence, is the single authority over generation
 * slots and budget (so sequences in parallel can never overspend together), and delivers the cut
 * once every sequence is approved. It stays open while a failed sequence may still be retaken;
 * cancelling that sequence settles it as failed.
 */
export async function episodeWorkflow(input: EpisodeInput): Promise<EpisodeSummary> {
  // A fault that can pass (a folder not writable yet, a crashed worker) is retried for as long as it
  // takes; a refusal only a person can fix blocks the delivery instead.
  const { readSequenceSpend, findClosedWorkflows } = proxyActivities<ReturnType<typeof createActivities>>({
    startToCloseTimeout: bookkeepingTimeout(input.heartbeatTimeoutSec),
    retry: retryUntilItPasses(input),
  });
  // Delivery encodes (the burn-in cut): as long as an episode is, bounded by its heartbeat, not a clock.
  const { deliverEpisode } = proxyActivities<ReturnType<typeof createActivities>>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: `${input.heartbeatTimeoutSec ?? DEFAULT_HEARTBEAT_TIMEOUT_SEC} seconds`,
    retry: retryUntilItPasses(input),
  });
  const ledger = new GenerationLedger(input.maxParallel, input.budgetUsd);
  const progress = new Map<string, SequenceProgress>(
    input.units.map((u) => [u.sequenceId, { sequenceId: u.sequenceId, state: 'pending', spentUsd: 0 }]),
  );
  const budgetHistory: EpisodeStatus['budgetHistory'] = [];
  const toldWaiting = new Map<string, string>();
  /**
   * Sequences adopted from an earlier run that have not yet told this run what they hold and wait
   * for (each reports its progress right after): nothing is granted until all have, or a sequence
   * that merely asked first could take the slot one that is still generating holds.
   */
  const adopting = new Set<string>();
  let deliveryPath: string | undefined;
  let state: EpisodeState = 'running';
  let deliveryBlocked: DeliveryBlock | undefined;
  let refusedDeliveries = 0;
  const redeliveries: RedeliverRecord[] = [];

  const childOf = (sequenceId: string) => getExternalWorkflowHandle(sequenceWorkflowId(input.projectId, input.episode, sequenceId));

  /**
   * Grants what fits, and tells each sequence that must wait why (once per reason). Every signal
   * goes out at once: one after another, each would wait a round trip through the server.
   */
  const dispatch = async () => {
    if (adopting.size > 0) return;
    const grants = ledger.grant().map((request) => {
      toldWaiting.delete(ticketKey(request));
      return childOf(request.sequenceId)
        .signal(generationGrantedSignal, { kind: request.kind, number: request.number })
        .catch((err) => {
          log.warn('could not grant; releasing the reservation', { sequence: request.sequenceId, error: String(err) });
          ledger.settle(request, 0);
        });
    });
    const waits = ledger.waiting().flatMap(({ request, reason }) => {
      if (toldWaiting.get(ticketKey(request)) === reason) return [];
      toldWaiting.set(ticketKey(request), reason);
      const leftUsd = ledger.leftUsd;
      return [
        childOf(request.sequenceId)
          .signal(generationWaitingSignal, { kind: request.kind, number: request.number, reason, estimateUsd: request.estimateUsd, ...(leftUsd !== undefined ? { leftUsd } : {}) })
          .catch(() => undefined),
      ];
    });
    upsertSearchAttributes([{ key: RecoilCostUsd, value: ledger.spentUsd }]);
    await Promise.all([...grants, ...waits]);
  };

  // fal's bill replaces what takes were counted at; money freed by a lower bill may let a waiting request go.
  onSignal(takesBilledSignal, async ({ takes }) => {
    for (const { sequenceId, take, usd } of takes) ledger.recordBilled({ sequenceId, kind: 'video', number: take }, usd);
    await dispatch();
  });
  onSignal(requestGenerationSignal, async (request) => {
    const refusal = ledger.request(request);
    if (refusal) return tellRefused(request, refusal);
    await dispatch();
  });
  /** A signal cannot be answered: the asking sequence hears the refusal, and the episode goes on. */
  const tellRefused = async (request: GenerationRequest, why: string) => {
    log.warn('refused a generation request', { request, why });
    if (typeof request?.sequenceId !== 'string') return;
    await childOf(request.sequenceId)
      .signal(generationWaitingSignal, { kind: request.kind, number: request.number, reason: 'refused', estimateUsd: request.estimateUsd, why })
      .catch(() => undefined);
  };
  onSignal(settleGenerationSignal, async (settlement) => {
    ledger.settle(settlement, settlement.actualUsd);
    await dispatch();
  });
  /** A budget change counts once per request id, whether it came as an Update or a signal. */
  const setBudget = async (change: BudgetChange): Promise<BudgetRecord> => {
    const earlier = budgetHistory.find((b) => b.requestId === change.requestId);
    if (earlier) return earlier;
    const record = { ...change, requestId: change.requestId ?? `signal-${budgetHistory.length + 1}`, at: new Date().toISOString() };
    budgetHistory.push(record);
    ledger.setBudget(change.budgetUsd);
    toldWaiting.clear();
    await dispatch();
    return record;
  };
  onSignal(setBudgetSignal, async (change) => void (await setBudget(change)));
  setHandler(setBudgetUpdate, setBudget, {
    validator: (change) => {
      const reason = whyBudgetChangeIsRefused(change, isSettled());
      if (reason) throw new Error(reason);
    },
  });
  /**
   * A redeliver request counts once per request id, whether it came as an Update or a signal. A
   * signal the rule refuses changes nothing and is kept, with why, in the status.
   */
  const redeliver = (request: RedeliverRequest): RedeliverRecord => {
    const earlier = redeliveries.find((r) => typeof request?.requestId === 'string' && r.requestId === request.requestId);
    if (earlier) return earlier;
    const reason = whyRedeliverIsRefused(request, state, deliveryBlocked);
    const accepted = reason === undefined;
    const record: RedeliverRecord = {
      requestId: typeof request?.requestId === 'string' ? request.requestId : `signal-${redeliveries.length + 1}`,
      by: typeof request?.by === 'string' && request.by.trim() ? request.by : 'unknown',
      at: new Date().toISOString(),
      outcome: accepted ? 'accepted' : 'refused',
      detail: reason ?? `delivering again after ${refusedDeliveries} refused ${refusedDeliveries === 1 ? 'attempt' : 'attempts'}`,
    };
    redeliveries.push(record);
    if (accepted) {
      // At once, so a second request in the same moment is refused rather than counted twice.
      state = 'delivering';
      deliveryBlocked = undefined;
    }
    return record;
  };
  onSignal(redeliverSignal, (request) => void redeliver(request));
  setHandler(redeliverUpdate, redeliver, {
    validator: (request) => {
      const reason = whyRedeliverIsRefused(request, state, deliveryBlocked);
      if (reason) throw new Error(reason);
    },
  });
  const frameLinks = new FrameLinkRelay(input.units, (sequenceId, link) => childOf(sequenceId).signal(frameLinkSignal, link));
  onSignal(sequenceProgressSignal, async (p) => {
    adopting.delete(p.sequenceId);
    progress.set(p.sequenceId, p);
    ledger.recordSequenceSpend(p.sequenceId, p.spentUsd);
    await frameLinks.relay(p);
  });
  const statusNow = (): EpisodeStatus => {
    const left = ledger.leftUsd;
    return {
      projectId: input.projectId,
      episode: input.episode,
      sequences: [...progress.values()],
      generating: ledger.generating,
      waiting: ledger.waiting().map(({ request, reason }) => ({ sequenceId: request.sequenceId, kind: request.kind, reason, estimateUsd: request.estimateUsd })),
      maxParallel: input.maxParallel,
      ...(ledger.budgetUsd !== undefined ? { budgetUsd: ledger.budgetUsd } : {}),
      spentUsd: ledger.spentUsd,
      reservedUsd: ledger.reservedUsd,
      ...(left !== undefined ? { leftUsd: left } : {}),
      budgetHistory: [...budgetHistory],
      ...(deliveryPath ? { deliveryPath } : {}),
      done: isSettled(),
      state,
      ...(deliveryBlocked ? { deliveryBlocked: { ...deliveryBlocked } } : {}),
      redeliveries: [...redeliveries],
    };
  };
  setHandler(episodeStatusQuery, statusNow);
  const card = new MemoCard(EPISODE_CARD_MEMO, () => episodeCard(statusNow()), EPISODE_CARD_PATCH);
  card.follow();

  /**
   * Delivers; a refusal a retry cannot fix (a take folder gone, takes at different frame rates)
   * leaves the episode `delivery_blocked` with the reason until a person asks to redeliver, and then
   * it tries again, as often as it takes. The workflow never fails for a delivery.
   */
  async function deliverUntilDone(sequences: DeliveryRequest['sequences']): Promise<string> {
    for (;;) {
      state = 'delivering';
      try {
        return (await deliverEpisode({ projectId: input.projectId, episode: input.episode, sequences })).path;
      } catch (err) {
        if (isCancellation(err)) throw err;
        refusedDeliveries++;
        const projectDir = input.units[0]?.projectDir;
        deliveryBlocked = { reason: failureMessage(err), since: new Date().toISOString(), attempts: refusedDeliveries, ...(projectDir ? { projectDir } : {}) };
        state = 'delivery_blocked';
        log.warn('the delivery was refused; waiting for a person to fix it and ask to redeliver', { reason: deliveryBlocked.reason });
        upsertSearchAttributes([{ key: RecoilState, value: 'delivery_blocked' }]);
        await condition(() => state !== 'delivery_blocked');
        upsertSearchAttributes([{ key: RecoilState, value: 'running' }]);
      }
    }
  }

  /** A failed sequence can still be retaken under this episode's budget, so only approval or closing settles it. */
  function isSettled(): boolean {
    return [...progress.values()].every((p) => p.state === 'approved' || p.closed);
  }

  upsertSearchAttributes([{ key: RecoilState, value: 'running' }]);
  // What earlier runs spent counts before any sequence of this run can ask for budget.
  // Reads and starts go out together: one after another, each would wait a round trip through the server.
  const inWaves = patched(SEQUENCES_START_IN_WAVES_PATCH);
  const sequenceIds = input.units.map((unit) => sequenceWorkflowId(input.projectId, input.episode, unit.sequenceId));
  const [spends, closed] = await Promise.all([
    Promise.all(input.units.map((unit) => readSequenceSpend({ projectId: input.projectId, episode: input.episode, sequenceId: unit.sequenceId }))),
    inWaves ? findClosedWorkflows(sequenceIds) : sequenceIds,
  ]);
  const spentEarlier = new Map<string, number>();
  input.units.forEach((unit, i) => {
    spentEarlier.set(unit.sequenceId, spends[i]!);
    ledger.recordSequenceSpend(unit.sequenceId, spends[i]!);
  });
  const finishedEarlier = (sequenceId: string) => {
    adopting.delete(sequenceId);
    progress.set(sequenceId, { sequenceId, state: 'approved', spentUsd: spentEarlier.get(sequenceId) ?? 0 });
  };
  const adopted = (sequenceId: string) => adopting.add(sequenceId);
  const start = (unit: SequenceUnit) => startSequence(input, unit, { finishedEarlier, adopted });
  // Only a first run starts in waves: a run that adopts sequences must hear what each holds before it grants anything.
  const noneRunning = closed.length === sequenceIds.length;
  if (inWaves && noneRunning) await startInWaves(input.units, input.maxParallel, start);
  else await Promise.all(input.units.map(start));
  if (adopting.size > 0) {
    await condition(() => adopting.size === 0, ADOPTED_SEQUENCES_ANSWER_WITHIN);
    adopting.clear();
    await dispatch();
  }

  await condition(isSettled);
  const approved = [...progress.values()].filter((p) => p.state === 'approved');
  const failed = [...progress.values()].filter((p) => p.state !== 'approved').map((p) => p.sequenceId);
  if (failed.length === 0) {
    const sequences = approved.map((p) => ({ sequenceId: p.sequenceId, ...(p.approvedTake ? { take: p.approvedTake } : {}) }));
    deliveryPath = await deliverUntilDone(sequences);
  }
  state = failed.length === 0 ? 'delivered' : 'settled_with_failures';
  upsertSearchAttributes([{ key: RecoilState, value: state }]);
  card.publish();
  await condition(allHandlersFinished);
  return {
    projectId: input.projectId,
    episode: input.episode,
    approved: approved.map((p) => p.sequenceId),
    failed,
    spentUsd: ledger.spentUsd,
    ...(deliveryPath ? { deliveryPath } : {}),
  };
}

/**
 * Every child's start takes its turn on the episode's history, and so does each of the episode's
 * workflow tasks: two hundred starts at once would hold up the grants the first sequences ask for
 * for seconds. A wave the size of the episode's slots starts, then the next, so the first takes go
 * to the provider while the rest are still starting.
 */
async function startInWaves(units: SequenceUnit[], maxParallel: number, start: (unit: SequenceUnit) => Promise<void>): Promise<void> {
  const waveSize = Math.max(1, maxParallel);
  for (let first = 0; first < units.length; first += waveSize) {
    await Promise.all(units.slice(first, first + waveSize).map(start));
  }
}

/** Adopted sequences run on the same workers and answer at once; one that cannot must not hold the others up for long. */
const ADOPTED_SEQUENCES_ANSWER_WITHIN = '1 minute';

function whyBudgetChangeIsRefused(change: BudgetChange, settled: boolean): string | undefined {
  if (!(Number.isFinite(change.budgetUsd) && change.budgetUsd > 0)) return `a budget is an amount in dollars above 0, got ${change.budgetUsd}`;
  if (settled) return 'the episode has settled: every sequence is approved or closed, so there is nothing left to spend on';
  return undefined;
}

function whyRedeliverIsRefused(request: RedeliverRequest | undefined, state: EpisodeState, blocked: DeliveryBlock | undefined): string | undefined {
  if (typeof request?.by !== 'string' || !request.by.trim()) return 'say who asks to redeliver (by)';
  if (state === 'delivery_blocked' && blocked) return undefined;
  switch (state) {
    case 'delivering':
      return 'the episode is delivering right now: wait for the outcome';
    case 'delivered':
      return 'the episode is already delivered: `recoil deliver` without a running episode makes a new version from the approved takes on disk';
    case 'settled_with_failures':
      return 'the episode settled with failed sequences: there is no delivery to retry';
    default:
      return 'there is no blocked delivery to retry: the episode delivers by itself once every sequence is approved';
  }
}

function ticketKey(r: GenerationRequest): string {
  return `${r.sequenceId}/${r.kind}/${r.number}`;
}

/**
 * Starts the sequence's workflow; one left running (or approved) by an earlier episode run is
 * adopted instead, so a paid-for sequence is never generated again.
 */
async function startSequence(
  input: EpisodeInput,
  unit: SequenceUnit,
  earlier: { finishedEarlier: (sequenceId: string) => void; adopted: (sequenceId: string) => void },
): Promise<void> {
  const workflowId = sequenceWorkflowId(input.projectId, input.episode, unit.sequenceId);
  try {
    await startChild(sequenceWorkflow, {
      workflowId,
      args: [
        {
          unit,
          provider: input.provider,
          maxTakes: input.maxTakes,
          autoRetakes: input.autoRetakes,
          episodeWorkflowId: workflowInfo().workflowId,
          ...(input.heartbeatTimeoutSec ? { heartbeatTimeoutSec: input.heartbeatTimeoutSec } : {}),
          ...(input.recordsCheckEverySec ? { recordsCheckEverySec: input.recordsCheckEverySec } : {}),
          ...(input.retryCapSec ? { retryCapSec: input.retryCapSec } : {}),
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      staticSummary: `${unit.sequenceId}${unit.title ? ` · ${unit.title}` : ''} · ${unit.shots.length} shots, ${unit.totalDurationSec}s`,
      typedSearchAttributes: [
        { key: RecoilProject, value: input.projectId },
        { key: RecoilEpisode, value: input.episode },
        { key: RecoilSequence, value: unit.sequenceId },
        { key: RecoilState, value: 'pending' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    earlier.adopted(unit.sequenceId);
    const attached = await getExternalWorkflowHandle(workflowId)
      .signal(attachToEpisodeSignal, { episodeWorkflowId: workflowInfo().workflowId })
      .then(() => true)
      .catch(() => false);
    // A sequence that cannot be reached finished in an earlier run: with this reuse policy that means approved.
    if (!attached) earlier.finishedEarlier(unit.sequenceId);
  }
}
