import { allHandlersFinished, CancellationScope, condition, isCancellation, setCurrentDetails, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { accountSlotGrantedSignal } from '../contract/account-gate.js';
import { RecoilCostUsd, RecoilState } from '../contract/search-attributes.js';
import {
  approveSignal,
  approveUpdate,
  attachToEpisodeSignal,
  decisionRefusedSignal,
  frameLinkSignal,
  generationGrantedSignal,
  generationWaitingSignal,
  noteSignal,
  noteUpdate,
  regenerateFramesSignal,
  regenerateFramesUpdate,
  retakeSignal,
  retakeUpdate,
  selectFrameSignal,
  selectFrameUpdate,
  settleSubmissionSignal,
  settleSubmissionUpdate,
  SEQUENCE_CARD_MEMO,
  sequenceCard,
  statusQuery,
  type DecisionName,
  type DecisionRecord,
  type ChosenFrame,
  type DecisionRequests,
  type NoteRequest,
  type SequenceInput,
  type SequenceStatus,
} from '../contract/sequence.js';
import type { SequenceState } from '../domain/state-machine.js';
import { AccountSlot, handsOverQuickly } from './account-slot.js';
import { TakeJsonWrites } from './best-effort.js';
import { EpisodeLink } from './episode-link.js';
import { failureMessage } from './failure-message.js';
import { exploreFrames } from './frame-exploration.js';
import { settleFrameLinks } from './frame-links.js';
import { sequenceActivities } from './sequence-activities.js';
import type { SequenceContext } from './sequence-context.js';
import { SequenceRun, type FrameChoice } from './sequence-run.js';
import { produceTake } from './take-production.js';
import { onSignal } from './signal-handler.js';
import { countDecision, recordDecisionLatency } from './workflow-metrics.js';
import { takesBilledSignal } from '../contract/billing.js';

/**
 * One sequence, one Temporal workflow: optional start-frame exploration, then takes until a person
 * approves one. Every take is paid for once and never overwritten.
 */
export async function sequenceWorkflow(input: SequenceInput): Promise<SequenceStatus> {
  const { unit } = input;
  const run = new SequenceRun(input);
  const link = new EpisodeLink(input.episodeWorkflowId, unit.sequenceId, run, () => report());
  const activities = sequenceActivities(input);
  const account = new AccountSlot(activities, run, () => report());
  const shown = new LastShown();
  const ctx: SequenceContext = {
    input,
    ref: { projectId: unit.projectId, episode: unit.episode, sequenceId: unit.sequenceId },
    run,
    link,
    account,
    activities,
    takeJson: new TakeJsonWrites(),
    paid: input.provider !== 'local',
    report: () => report(),
  };

  setHandler(statusQuery, () => run.status());
  acceptDecisions(ctx);
  onSignal(generationGrantedSignal, (ticket) => link.onGranted(ticket));
  onSignal(generationWaitingSignal, (wait) => link.onWaiting(wait));
  onSignal(accountSlotGrantedSignal, (grant) => account.onGranted(grant));
  onSignal(takesBilledSignal, async ({ takes }) => {
    run.takesBilled(takes);
    await report();
  });
  onSignal(frameLinkSignal, async (frameLink) => {
    run.linkFrame(frameLink);
    // The console follows the memo: a newly approved neighbour shows as a start-frame option at once.
    await report();
  });
  onSignal(attachToEpisodeSignal, async ({ episodeWorkflowId }) => {
    await link.attach(episodeWorkflowId);
    await report();
  });

  try {
    return await runSequence(ctx);
  } catch (err) {
    // Cancelled by a person, or stopped by a failure nothing can retry: either way the episode must
    // hear that this sequence will not come back, or it would wait for it forever.
    if (!isCancellation(err)) run.abandon(`the sequence stopped: ${failureMessage(err)}`);
    await CancellationScope.nonCancellable(() => report({ closed: true }));
    throw err;
  }

  /**
   * Shows the sequence in the Web UI, the board and the episode. Runs from 0.6.0 on write only what
   * changed: every write is an event, and every signal a workflow task of the episode's.
   */
  async function report(extra: { closed?: boolean } = {}): Promise<void> {
    const onlyChanges = handsOverQuickly();
    const attributes = [
      { key: RecoilState, value: run.state },
      { key: RecoilCostUsd, value: run.spentUsd },
    ] as const;
    if (!onlyChanges || shown.changed('attributes', attributes)) upsertSearchAttributes([...attributes]);
    setCurrentDetails(run.describe());
    const card = sequenceCard(run.status());
    if (!onlyChanges || shown.changed('card', card)) upsertMemo({ [SEQUENCE_CARD_MEMO]: card });
    await link.report({
      sequenceId: unit.sequenceId,
      state: run.state,
      spentUsd: run.spentUsd,
      ...(run.approvedTake !== undefined ? { approvedTake: run.approvedTake } : {}),
      ...(run.startFrame ? { startFramePath: run.startFrame.path } : {}),
      ...extra,
    }, { onlyChanges });
  }
}

/** What was last written where, so only a change is written again. */
class LastShown {
  private readonly written = new Map<string, string>();

  changed(where: string, what: unknown): boolean {
    const json = JSON.stringify(what);
    if (this.written.get(where) === json) return false;
    this.written.set(where, json);
    return true;
  }
}

/**
 * A decision arrives as an Update (answered at once; its validator refuses before anything is
 * recorded) or as a signal (recorded durably; a refusal is kept in `status`). One rule set for both.
 */
function acceptDecisions(ctx: SequenceContext): void {
  const { run } = ctx;
  const refuseUnless = <D extends DecisionName>(decision: D) => ({
    validator: (request: DecisionRequests[D]) => {
      const reason = run.whyRefused(decision, request);
      if (reason) throw new Error(reason);
    },
  });
  const decide = <D extends DecisionName>(decision: D, request: DecisionRequests[D]): DecisionRecord => {
    const record = run.decide(decision, request);
    countDecision(decision, record.outcome);
    return record;
  };
  onSignal(approveSignal, (request) => void decide('approve', request));
  setHandler(approveUpdate, (request) => decide('approve', request), refuseUnless('approve'));
  onSignal(retakeSignal, (request) => void decide('retake', request));
  setHandler(retakeUpdate, (request) => decide('retake', request), refuseUnless('retake'));
  onSignal(selectFrameSignal, (request) => void decide('selectFrame', request));
  setHandler(selectFrameUpdate, (request) => decide('selectFrame', request), refuseUnless('selectFrame'));
  onSignal(regenerateFramesSignal, (request) => void decide('regenerateFrames', request));
  setHandler(regenerateFramesUpdate, (request) => decide('regenerateFrames', request), refuseUnless('regenerateFrames'));
  onSignal(settleSubmissionSignal, (request) => void decide('settleSubmission', request));
  setHandler(settleSubmissionUpdate, (request) => decide('settleSubmission', request), refuseUnless('settleSubmission'));
  onSignal(noteSignal, async (request) => void (await addNote(ctx, request)));
  setHandler(noteUpdate, (request) => addNote(ctx, request), refuseUnless('note'));
  onSignal(decisionRefusedSignal, (note) => run.noteRefusal(note));
}

/** A note is answered once it is kept on its take in take.json, so the console shows it from there too. */
async function addNote(ctx: SequenceContext, request: NoteRequest): Promise<DecisionRecord> {
  const record = ctx.run.decide('note', request);
  const note = record.outcome === 'accepted' ? ctx.run.noteOf(record.requestId) : undefined;
  if (note) {
    await ctx.takeJson.record(`the note on take ${note.take}`, () => ctx.activities.recordTakeNote({ ...ctx.ref, take: note.take, note }));
    await ctx.report();
  }
  return record;
}

/** The lifecycle itself: frames when needed, then takes until a person approves one. */
async function runSequence(ctx: SequenceContext): Promise<SequenceStatus> {
  const { run, ref, activities, input } = ctx;
  const { unit } = input;
  run.resumeFrom(
    await activities.prepareSequence({
      ...ref,
      projectDir: unit.projectDir,
      startFrame: unit.startFrame,
      resolution: unit.resolution,
      ...(unit.previousSequenceId ? { previousSequenceId: unit.previousSequenceId } : {}),
    }),
  );
  await settleFrameLinks(ctx);
  run.begin();
  // The state and what every run has spent show in status and the Web UI as work starts; from 0.6.0
  // the first slot is asked for in the same workflow task, not a round trip later.
  const begun = ctx.report();
  if (!handsOverQuickly()) await begun;

  for (;;) {
    if (run.state === 'frame_generating') {
      await exploreFrames(ctx);
    } else if (run.state === 'video_generating') {
      await applyFrameChoice(ctx);
      const retake = run.takeRetake();
      if (retake) await recordRetakeOnLastTake(ctx, retake.by, retake.note);
      if (run.state === 'video_generating') await produceTake(ctx, retake?.note);
    }
    await begun;
    const waitedIn = run.state;
    run.waitFor(whatAPersonShouldDo(waitedIn));
    await ctx.report();
    const waitingSince = Date.now();
    await condition(() => run.state === 'approved' || run.state === 'video_generating' || run.state === 'frame_generating');
    recordDecisionLatency(waitedIn, (Date.now() - waitingSince) / 1_000);
    run.resumedByPerson();
    if (run.state === 'approved') break;
  }

  const take = run.approvedTake!;
  const approval = run.approval!;
  await ctx.takeJson.record(`the approval of take ${take}`, () => activities.recordTakeDecision({ ...ref, take, decision: 'approved', by: approval.by, note: approval.note }));
  await ctx.report();
  await condition(allHandlersFinished);
  return run.status();
}

async function applyFrameChoice(ctx: SequenceContext): Promise<void> {
  const choice = ctx.run.takeFrameChoice();
  if (!choice) return;
  try {
    ctx.run.useStartFrame(await makeStartFrame(ctx, choice));
  } catch (err) {
    if (isCancellation(err)) throw err;
    // Kept, so a retake tries this pick again rather than quietly starting from an older frame.
    ctx.run.keepFrameChoice(choice);
    const picked = 'previous' in choice ? `${choice.previous.sequenceId} take ${choice.previous.take}'s last frame` : `quadrant ${choice.quadrant} of grid ${choice.grid}`;
    const why = `${picked} could not be made the start frame: ${failureMessage(err)}`;
    ctx.run.fail('video_generating', `${why}; retake to try this pick again, or ask for new options (\`recoil frame … --regenerate\`)`);
  }
}

async function makeStartFrame(ctx: SequenceContext, choice: FrameChoice): Promise<ChosenFrame> {
  if (!('previous' in choice)) return ctx.activities.chooseStartFrame({ ...ctx.ref, ...choice });
  const { sequenceId, take } = choice.previous;
  const chained = await ctx.activities.chainStartFrame({ ...ctx.ref, previousSequenceId: sequenceId, take, resolution: ctx.input.unit.resolution });
  if (!chained) throw new Error(`${sequenceId} take ${take} has no video to take the last frame from`);
  return { ...chained, by: `${choice.by} (${chained.by})` };
}

async function recordRetakeOnLastTake(ctx: SequenceContext, by: string, note: string): Promise<void> {
  const last = ctx.run.status().takes.at(-1);
  if (last?.videoPath) {
    await ctx.takeJson.record(`the retake of take ${last.take}`, () => ctx.activities.recordTakeDecision({ ...ctx.ref, take: last.take, decision: 'retake', by, note }));
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
