import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { applyShotOverrides, type UnitShot } from '../domain/sequence-unit.js';
import { releaseSlotSignal, requestSlotSignal, sequenceProgressSignal } from './episode-messages.js';
import { RecoilCostUsd, RecoilState } from './search-attributes.js';
import {
  approveSignal,
  attachToEpisodeSignal,
  retakeSignal,
  slotGrantedSignal,
  statusQuery,
  type SequenceInput,
  type SequenceStatus,
  type TakeSummary,
} from './sequence-messages.js';
import { SequenceRun } from './sequence-run.js';

type Activities = ReturnType<typeof createActivities>;

const { nextTakeNumber, recordTakeDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 10 },
});

/** Submitting is short; its activity itself guarantees one paid submission per take. */
const { submitTake } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 6 },
});

/** Awaiting a provider can take many minutes; heartbeats let a retry resume after a worker crash. */
const { awaitTake } = proxyActivities<Activities>({
  startToCloseTimeout: '45 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 8 },
});

/**
 * One sequence, one Temporal workflow: pending → video_generating → video_complete → approved,
 * with retakes, each take paid for once and never overwritten.
 */
export async function sequenceWorkflow(input: SequenceInput): Promise<SequenceStatus> {
  const run = new SequenceRun(input);
  let episodeId = input.episodeWorkflowId;
  let grantedTake: number | undefined;

  setHandler(statusQuery, () => run.status());
  setHandler(approveSignal, (request) => run.approve(request));
  setHandler(retakeSignal, (request) => run.retake(request));
  setHandler(slotGrantedSignal, ({ take }) => void (grantedTake = take));
  setHandler(attachToEpisodeSignal, ({ episodeWorkflowId }) => {
    episodeId = episodeWorkflowId;
    void reportProgress();
  });

  const { unit } = input;
  let shots: UnitShot[] = unit.shots;
  let nextTake = await nextTakeNumber({ projectId: unit.projectId, episode: unit.episode, sequenceId: unit.sequenceId });

  async function reportProgress(): Promise<void> {
    upsertSearchAttributes([
      { key: RecoilState, value: run.state },
      { key: RecoilCostUsd, value: run.spentUsd },
    ]);
    setCurrentDetails(describeForUi(run));
    if (!episodeId) return;
    await signalEpisode(episodeId, sequenceProgressSignal, {
      sequenceId: unit.sequenceId,
      state: run.state,
      spentUsd: run.spentUsd,
      ...(run.approvedTake !== undefined ? { approvedTake: run.approvedTake } : {}),
    });
  }

  async function waitForSlot(take: number): Promise<void> {
    if (!episodeId) return;
    run.waitingFor = 'a generation slot (the episode limits how many sequences generate at once)';
    await reportProgress();
    const delivered = await signalEpisode(episodeId, requestSlotSignal, { sequenceId: unit.sequenceId, take });
    if (delivered) await condition(() => grantedTake === take);
    run.waitingFor = undefined;
  }

  async function generateTake(): Promise<void> {
    const take = nextTake++;
    await waitForSlot(take);
    const summary: TakeSummary = {
      take,
      state: 'generating',
      estimatedCostUsd: input.provider === 'local' ? 0 : unit.estimatedCostUsd,
      startedAt: new Date().toISOString(),
    };
    run.takes.push(summary);
    await reportProgress();
    const retakeNote = run.pendingRetake?.note;
    run.pendingRetake = undefined;
    const request = { unit, shots, take, provider: input.provider, ...(retakeNote ? { retakeNote } : {}) };
    try {
      const submitted = await submitTake(request);
      Object.assign(summary, { requestId: submitted.requestId, folder: submitted.folder });
      const result = await awaitTake({ ...request, requestId: submitted.requestId });
      Object.assign(summary, { state: 'complete', videoPath: result.videoPath, costUsd: result.costUsd, durationSec: result.durationSec });
      run.apply({ type: 'video_ready' }, 'pipeline', `take ${take} finished`);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reason = failureMessage(err);
      Object.assign(summary, { state: 'failed', error: reason });
      run.failure = `take ${take} failed: ${reason}`;
      run.apply({ type: 'fail' }, 'pipeline', reason);
      log.warn('take failed', { sequence: unit.sequenceId, take, reason });
    } finally {
      summary.finishedAt = new Date().toISOString();
      if (episodeId) await CancellationScope.nonCancellable(() => signalEpisode(episodeId!, releaseSlotSignal, { sequenceId: unit.sequenceId, take }));
    }
  }

  run.apply({ type: 'start_video' }, 'pipeline', 'started');
  for (;;) {
    run.failure = undefined;
    await generateTake();
    run.waitingFor = run.state === 'failed' ? 'a person: retake (optionally with new prompts)' : 'a person: approve or retake';
    await reportProgress();
    await condition(() => run.state === 'approved' || run.state === 'video_generating');
    run.waitingFor = undefined;
    const last = run.takes.at(-1)!;
    if (run.state === 'approved') break;
    const retake = run.pendingRetake!;
    if (last.state === 'complete') await recordTakeDecision({ ...takeRef(last.take), decision: 'retake', by: retake.by, note: retake.note });
    shots = applyShotOverrides({ ...unit, shots }, retake.shots);
  }

  const approval = run.history.at(-1)!;
  await recordTakeDecision({ ...takeRef(run.approvedTake!), decision: 'approved', by: approval.by, note: approval.why });
  await reportProgress();
  await condition(allHandlersFinished);
  return run.status();

  function takeRef(take: number) {
    return { projectId: unit.projectId, episode: unit.episode, sequenceId: unit.sequenceId, take };
  }
}

/** Signals the episode; false when it is gone (e.g. finished), so the sequence carries on alone. */
async function signalEpisode<T>(episodeId: string, signal: SignalDefinition<[T]>, arg: T): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(episodeId).signal(signal, arg);
    return true;
  } catch (err) {
    log.info('episode not reachable; continuing without it', { episodeId, error: String(err) });
    return false;
  }
}

function failureMessage(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}

function describeForUi(run: SequenceRun): string {
  const takes = run.takes.map((t) => `t${t.take}:${t.state}`).join(' ');
  return `**${run.state}** ${run.waitingFor ? `— waiting for ${run.waitingFor}` : ''}\n\ntakes: ${takes || 'none'} · spent $${run.spentUsd.toFixed(2)}`;
}
