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
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../activities/index.js';
import { sequenceWorkflowId } from '../domain/ids.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';
import {
  episodeStatusQuery,
  releaseSlotSignal,
  requestSlotSignal,
  sequenceProgressSignal,
  type EpisodeInput,
  type EpisodeStatus,
  type EpisodeSummary,
  type SequenceProgress,
} from './episode-messages.js';
import { RecoilEpisode, RecoilProject, RecoilSequence, RecoilState } from './search-attributes.js';
import { attachToEpisodeSignal, slotGrantedSignal } from './sequence-messages.js';
import { sequenceWorkflow } from './sequence-workflow.js';
import { SlotQueue } from './slot-queue.js';

const { deliverEpisode } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 5 },
});

/**
 * One episode: starts a sequence workflow per sequence, lets at most `maxParallel` of them generate
 * at once, and delivers the cut once every sequence is approved.
 */
export async function episodeWorkflow(input: EpisodeInput): Promise<EpisodeSummary> {
  const slots = new SlotQueue(input.maxParallel);
  const progress = new Map<string, SequenceProgress>(
    input.units.map((u) => [u.sequenceId, { sequenceId: u.sequenceId, state: 'pending', spentUsd: 0 }]),
  );
  let deliveryPath: string | undefined;

  const grantFreeSlots = async () => {
    for (const grant of slots.grantFree()) {
      const child = getExternalWorkflowHandle(sequenceWorkflowId(input.projectId, input.episode, grant.sequenceId));
      await child.signal(slotGrantedSignal, { take: grant.take }).catch((err) => {
        log.warn('could not grant a slot; releasing it', { sequence: grant.sequenceId, error: String(err) });
        slots.release(grant);
      });
    }
  };

  setHandler(requestSlotSignal, async (req) => {
    slots.request(req);
    await grantFreeSlots();
  });
  setHandler(releaseSlotSignal, async (req) => {
    slots.release(req);
    await grantFreeSlots();
  });
  setHandler(sequenceProgressSignal, (p) => void progress.set(p.sequenceId, p));
  setHandler(episodeStatusQuery, (): EpisodeStatus => ({
    projectId: input.projectId,
    episode: input.episode,
    sequences: [...progress.values()],
    generating: slots.generating,
    queued: slots.queued,
    maxParallel: input.maxParallel,
    ...(deliveryPath ? { deliveryPath } : {}),
    done: isSettled(),
  }));

  function isSettled(): boolean {
    return [...progress.values()].every((p) => p.state === 'approved' || p.state === 'failed');
  }

  upsertSearchAttributes([{ key: RecoilState, value: 'running' }]);
  for (const unit of input.units) await startSequence(input, unit, (p) => progress.set(p.sequenceId, p));

  await condition(isSettled);
  const approved = [...progress.values()].filter((p) => p.state === 'approved');
  const failed = [...progress.values()].filter((p) => p.state === 'failed').map((p) => p.sequenceId);
  if (failed.length === 0) {
    deliveryPath = (
      await deliverEpisode({
        projectId: input.projectId,
        episode: input.episode,
        sequences: approved.map((p) => ({ sequenceId: p.sequenceId, ...(p.approvedTake ? { take: p.approvedTake } : {}) })),
      })
    ).path;
  }
  upsertSearchAttributes([{ key: RecoilState, value: failed.length === 0 ? 'delivered' : 'settled_with_failures' }]);
  await condition(allHandlersFinished);
  return {
    projectId: input.projectId,
    episode: input.episode,
    approved: approved.map((p) => p.sequenceId),
    failed,
    spentUsd: [...progress.values()].reduce((sum, p) => sum + p.spentUsd, 0),
    ...(deliveryPath ? { deliveryPath } : {}),
  };
}

/**
 * Starts the sequence's workflow; one left running (or approved) by an earlier episode run is
 * adopted instead, so a paid-for sequence is never generated again.
 */
async function startSequence(input: EpisodeInput, unit: SequenceUnit, onAdopted: (p: SequenceProgress) => void): Promise<void> {
  const workflowId = sequenceWorkflowId(input.projectId, input.episode, unit.sequenceId);
  try {
    await startChild(sequenceWorkflow, {
      workflowId,
      args: [{ unit, provider: input.provider, maxTakes: input.maxTakes, episodeWorkflowId: workflowInfo().workflowId }],
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
    const attached = await getExternalWorkflowHandle(workflowId)
      .signal(attachToEpisodeSignal, { episodeWorkflowId: workflowInfo().workflowId })
      .then(() => true)
      .catch(() => false);
    // A sequence that cannot be reached finished in an earlier run: with this reuse policy that means approved.
    if (!attached) onAdopted({ sequenceId: unit.sequenceId, state: 'approved', spentUsd: 0 });
  }
}
