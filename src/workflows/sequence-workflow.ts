import { allHandlersFinished, CancellationScope, condition, isCancellation, patched, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { applyShotOverrides, type UnitShot } from '../domain/sequence-unit.js';
import type { SequenceState } from '../domain/state-machine.js';
import { recordBestEffort, handlesFailure } from './best-effort.js';
import { EpisodeLink } from './episode-link.js';
import { failureMessage } from './failure-message.js';
import { exploreFrames } from './frame-exploration.js';
import { RecoilCostUsd, RecoilState } from './search-attributes.js';
import { sequenceActivities } from './sequence-activities.js';
import type { SequenceContext } from './sequence-context.js';
import {
  approveSignal,
  attachToEpisodeSignal,
  generationGrantedSignal,
  generationWaitingSignal,
  regenerateFramesSignal,
  retakeSignal,
  selectFrameSignal,
  statusQuery,
  type SequenceInput,
  type SequenceStatus,
} from './sequence-messages.js';
import { SequenceRun } from './sequence-run.js';
import { produceTake } from './take-production.js';

/**
 * One sequence, one Temporal workflow (contract.md §3): optional start-frame exploration, then
 * takes until a person approves one. Every take is paid for once and never overwritten.
 */
export async function sequenceWorkflow(input: SequenceInput): Promise<SequenceStatus> {
  const { unit } = input;
  const run = new SequenceRun(input, patched('strict-take-limits'));
  const ref = { projectId: unit.projectId, episode: unit.episode, sequenceId: unit.sequenceId };
  const activities = sequenceActivities(input.heartbeatTimeoutSec);
  const ctx: SequenceContext = { input, ref, run, activities, paid: input.provider !== 'local', report: () => report(), link: undefined! };
  ctx.link = new EpisodeLink(input.episodeWorkflowId, unit.sequenceId, run, () => report());

  setHandler(statusQuery, () => run.status());
  setHandler(approveSignal, (request) => run.approve(request));
  setHandler(retakeSignal, (request) => run.retake(request));
  setHandler(selectFrameSignal, (request) => run.selectFrame(request));
  setHandler(regenerateFramesSignal, (request) => run.regenerateFrames(request));
  setHandler(generationGrantedSignal, (ticket) => ctx.link.onGranted(ticket));
  setHandler(generationWaitingSignal, (wait) => ctx.link.onWaiting(wait));
  setHandler(attachToEpisodeSignal, async ({ episodeWorkflowId }) => {
    ctx.link.episodeId = episodeWorkflowId;
    await report();
  });

  try {
    return await runSequence(ctx);
  } catch (err) {
    // Cancelled by a person, or stopped by a failure nothing can retry: either way the episode must
    // hear that this sequence will not come back, or it would wait for it forever.
    const failed = handlesFailure(err);
    if (!isCancellation(err) && !failed) throw err;
    if (failed) run.abandon(`the sequence stopped: ${failureMessage(err)}`);
    await CancellationScope.nonCancellable(() => report({ closed: true }));
    throw err;
  }

  async function report(extra: { closed?: boolean } = {}): Promise<void> {
    upsertSearchAttributes([
      { key: RecoilState, value: run.state },
      { key: RecoilCostUsd, value: run.spentUsd },
    ]);
    setCurrentDetails(describeForUi(run));
    await ctx.link.report({
      sequenceId: unit.sequenceId,
      state: run.state,
      spentUsd: run.spentUsd,
      ...(run.approvedTake !== undefined ? { approvedTake: run.approvedTake } : {}),
      ...extra,
    });
  }
}

/** The lifecycle itself: frames when needed, then takes until a person approves one. */
async function runSequence(ctx: SequenceContext): Promise<SequenceStatus> {
  const { input, run, ref, activities } = ctx;
  const { unit } = input;
  const prepared = await activities.prepareSequence({ ...ref, projectDir: unit.projectDir, startFrame: unit.startFrame, resolution: unit.resolution });
  run.nextTake = prepared.nextTake;
  run.nextGrid = prepared.nextGrid;
  // Absent in histories recorded before it was reported.
  run.spentEarlierUsd = prepared.spentEarlierUsd ?? 0;
  if (prepared.startFrame) run.startFrame = prepared.startFrame;
  const exploreFirst = unit.startFrame?.kind === 'prompt' && !run.startFrame;
  run.apply({ type: exploreFirst ? 'start_frames' : 'start_video' }, 'pipeline', exploreFirst ? 'exploring start frames' : 'started');
  // The state and what every run has spent show in status and the Web UI before any work starts.
  if (patched('report-earlier-spend')) await ctx.report();

  let shots: UnitShot[] = unit.shots;
  for (;;) {
    if (run.state === 'frame_generating') {
      await exploreFrames(ctx);
    } else if (run.state === 'video_generating') {
      await applyFrameChoice(ctx);
      const retake = run.pendingRetake;
      run.pendingRetake = undefined;
      if (retake) {
        await recordRetakeOnLastTake(ctx, retake.by, retake.note);
        shots = applyShotOverrides({ ...unit, shots }, retake.shots);
      }
      if (run.state === 'video_generating') await produceTake(ctx, shots, retake?.note);
    }
    run.waitingFor = whatAPersonShouldDo(run.state);
    await ctx.report();
    await condition(() => run.state === 'approved' || run.state === 'video_generating' || run.state === 'frame_generating');
    run.waitingFor = undefined;
    run.failure = undefined;
    if (run.state === 'approved') break;
  }

  const approval = run.history.at(-1)!;
  await recordBestEffort(`the approval of take ${run.approvedTake}`, () =>
    activities.recordTakeDecision({ ...ref, take: run.approvedTake!, decision: 'approved', by: approval.by, note: approval.why }),
  );
  await ctx.report();
  await condition(allHandlersFinished);
  return run.status();
}

async function applyFrameChoice(ctx: SequenceContext): Promise<void> {
  const choice = ctx.run.pendingFrameChoice;
  if (!choice) return;
  ctx.run.pendingFrameChoice = undefined;
  try {
    ctx.run.startFrame = await ctx.activities.chooseStartFrame({ ...ctx.ref, grid: choice.grid, quadrant: choice.quadrant, by: choice.by });
  } catch (err) {
    if (!handlesFailure(err)) throw err;
    // Kept, so a retake tries this pick again rather than quietly starting from an older frame.
    ctx.run.pendingFrameChoice = choice;
    const why = `quadrant ${choice.quadrant} of grid ${choice.grid} could not be made the start frame: ${failureMessage(err)}`;
    ctx.run.fail('video_generating', `${why}; retake to try this pick again, or ask for new options (\`recoil frame … --regenerate\`)`);
  }
}

async function recordRetakeOnLastTake(ctx: SequenceContext, by: string, note: string): Promise<void> {
  const last = ctx.run.takes.at(-1);
  if (last?.videoPath) {
    await recordBestEffort(`the retake of take ${last.take}`, () => ctx.activities.recordTakeDecision({ ...ctx.ref, take: last.take, decision: 'retake', by, note }));
  }
}

function whatAPersonShouldDo(state: SequenceState): string | undefined {
  switch (state) {
    case 'video_complete':
      return 'a person: approve or retake (`npx recoil approve|retake`)';
    case 'frame_review':
      return 'a person: pick a start frame (`npx recoil frame … --quadrant N`) or ask for new options';
    case 'failed':
      return 'a person: retake, optionally with new prompts';
    default:
      return undefined;
  }
}

function describeForUi(run: SequenceRun): string {
  const takes = run.takes.map((t) => `t${t.take}:${t.state}`).join(' ');
  const grids = run.grids.map((g) => `g${g.grid}`).join(' ');
  const waiting = run.waitingFor ? ` — waiting for ${run.waitingFor}` : '';
  return `**${run.state}**${waiting}\n\ntakes: ${takes || 'none'} · grids: ${grids || 'none'} · spent $${run.spentUsd.toFixed(2)}`;
}
