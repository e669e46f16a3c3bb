import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { GenerationLedger, type GenerationRequest } from '../domain/generation-ledger.js';
import { sequenceWorkflowId } from '../domain/ids.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';
import {
  episodeStatusQuery,
  requestGenerationSignal,
  sequenceProgressSignal,
  setBudgetSignal,
  setBudgetUpdate,
  settleGenerationSignal,
  type BudgetChange,
  type BudgetRecord,
  type EpisodeInput,
  type EpisodeStatus,
  type EpisodeSummary,
  type SequenceProgress,
} from '../contract/episode.js';
import { RecoilCostUsd, RecoilEpisode, RecoilProject, RecoilSequence, RecoilState } from '../contract/search-attributes.js';
import { attachToEpisodeSignal, generationGrantedSignal, generationWaitingSignal } from '../contract/sequence.js';
import { bookkeepingTimeout } from './sequence-activities.js';
import { sequenceWorkflow } from './sequence-workflow.js';


/**
 * One episode: starts a sequence workflow per sequence, is the single authority over generation
 * slots and budget (so sequences in parallel can never overspend together), and delivers the cut
 * once every sequence is approved. It stays open while a failed sequence may still be retaken;
 * cancelling that sequence settles it as failed.
 */
export async function episodeWorkflow(input: EpisodeInput): Promise<EpisodeSummary> {
  const { deliverEpisode, readSequenceSpend } = proxyActivities<ReturnType<typeof createActivities>>({
    startToCloseTimeout: bookkeepingTimeout(input.heartbeatTimeoutSec),
    retry: { maximumAttempts: 5 },
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

  setHandler(requestGenerationSignal, async (request) => {
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
  setHandler(settleGenerationSignal, async (settlement) => {
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
  setHandler(setBudgetSignal, async (change) => void (await setBudget(change)));
  setHandler(setBudgetUpdate, setBudget, {
    validator: (change) => {
      const reason = whyBudgetChangeIsRefused(change, isSettled());
      if (reason) throw new Error(reason);
    },
  });
  setHandler(sequenceProgressSignal, (p) => {
    adopting.delete(p.sequenceId);
    progress.set(p.sequenceId, p);
    ledger.recordSequenceSpend(p.sequenceId, p.spentUsd);
  });
  setHandler(episodeStatusQuery, (): EpisodeStatus => {
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
    };
  });

  /** A failed sequence can still be retaken under this episode's budget, so only approval or closing settles it. */
  function isSettled(): boolean {
    return [...progress.values()].every((p) => p.state === 'approved' || p.closed);
  }

  upsertSearchAttributes([{ key: RecoilState, value: 'running' }]);
  // What earlier runs spent counts before any sequence of this run can ask for budget.
  // Reads and starts go out together: one after another, each would wait a round trip through the server.
  const spends = await Promise.all(
    input.units.map((unit) => readSequenceSpend({ projectId: input.projectId, episode: input.episode, sequenceId: unit.sequenceId })),
  );
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
  await Promise.all(input.units.map((unit) => startSequence(input, unit, { finishedEarlier, adopted })));
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
    deliveryPath = (await deliverEpisode({ projectId: input.projectId, episode: input.episode, sequences })).path;
  }
  upsertSearchAttributes([{ key: RecoilState, value: failed.length === 0 ? 'delivered' : 'settled_with_failures' }]);
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

/** Adopted sequences run on the same workers and answer at once; one that cannot must not hold the others up for long. */
const ADOPTED_SEQUENCES_ANSWER_WITHIN = '1 minute';

function whyBudgetChangeIsRefused(change: BudgetChange, settled: boolean): string | undefined {
  if (!(Number.isFinite(change.budgetUsd) && change.budgetUsd > 0)) return `a budget is an amount in dollars above 0, got ${change.budgetUsd}`;
  if (settled) return 'the episode has settled: every sequence is approved or closed, so there is nothing left to spend on';
  return undefined;
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
