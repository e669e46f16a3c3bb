import { condition, isCancellation, log } from '@temporalio/workflow';
import { takeFolderName } from '../domain/ids.js';
import { MODELS } from '../domain/models.js';
import type { CriticReport } from '../domain/critic-report.js';
import type { CriticRequest } from '../contract/activities.js';
import type { UnitShot } from '../domain/sequence-unit.js';
import { handsOverQuickly, type AccountSlotHeld } from './account-slot.js';
import { recordBestEffort } from './best-effort.js';
import { submitTakeOnce } from './cut-off-submission.js';
import { failureMessage, mayHaveCostMoney } from './failure-message.js';
import type { SequenceContext } from './sequence-context.js';
import { recordTakeEnded, type TakeTags } from './workflow-metrics.js';

/**
 * Makes takes until one passes the critics (or the automatic retakes run out), then hands it
 * to a person: video_generating → video_complete, or → failed with the reason.
 */
export async function produceTake(ctx: SequenceContext, retakeNote: string | undefined): Promise<void> {
  let autoRetakesLeft = ctx.input.autoRetakes;
  let note = retakeNote;
  for (;;) {
    const shots = ctx.run.shots;
    const take = await generateTake(ctx, shots, note);
    if (take === undefined) return;
    const { report, ran } = await criticise(ctx, take, shots);
    ctx.run.takeCriticised(take, report);
    await ctx.report();
    // Only a verdict pays for an automatic retake; critics that could not run leave it to a person.
    if (report.ok || !ran || autoRetakesLeft <= 0 || ctx.run.takesLeft <= 0) {
      ctx.run.videoReady(report.ok ? `take ${take} finished and passed the critics` : `take ${take} finished; critics flagged it`);
      return;
    }
    autoRetakesLeft--;
    ctx.run.takeRejectedByCritics(take);
    note = `automatic retake: critics rejected take ${take} (${failedFindings(report)})`;
    log.info(note, { sequence: ctx.ref.sequenceId });
  }
}

/** One paid take, from the episode's grant to its settlement; the take number, or undefined if it failed. */
async function generateTake(ctx: SequenceContext, shots: UnitShot[], retakeNote: string | undefined): Promise<number | undefined> {
  const { run, input, link } = ctx;
  if (run.noTakesLeft) {
    run.fail('video_generating', run.noTakesLeft);
    return undefined;
  }
  const take = run.allocateTake();
  const estimate = ctx.paid ? input.unit.estimatedCostUsd : 0;
  const granted = await link.acquire('video', take, estimate, 'video_generating', { reportGrant: !handsOverQuickly() });
  if (!granted && ctx.paid) {
    run.fail('video_generating', 'the episode is not running, so no budget can be reserved: run `npx recoil run <project> --episode …` again to continue');
    return undefined;
  }
  let accountSlot: AccountSlotHeld | undefined;
  try {
    if (ctx.paid) accountSlot = await ctx.account.acquire(input.provider, `take-${take}`, takeLabel(ctx, take));
  } catch (err) {
    await link.settle('video', take, 0);
    throw err;
  }
  run.takeStarted(take, estimate, retakeNote);
  // Published while the take is submitted: waiting for the report first would cost a round trip.
  const started = ctx.report();
  const request = {
    unit: input.unit,
    shots,
    take,
    provider: input.provider,
    ...(retakeNote ? { retakeNote } : {}),
    ...(run.startFrame ? { startFramePath: run.startFrame.path } : {}),
    ...(run.endFramePath ? { endFramePath: run.endFramePath } : {}),
  };
  let charged = 0;
  let accepted = false;
  let settled = false;
  const settle = async () => {
    if (settled) return;
    settled = true;
    await Promise.all([accountSlot?.release(), link.settle('video', take, charged)]);
  };
  try {
    const [submitted] = await Promise.all([submitTakeOnce(ctx, request), started]);
    accepted = true;
    run.takeSubmitted(take, submitted.requestId, submitted.folder);
    const job = { ...request, requestId: submitted.requestId };
    const handOver = handsOverQuickly() ? { handOver: { ...(link.episodeWorkflowId ? { episodeWorkflowId: link.episodeWorkflowId } : {}), ...(accountSlot?.at ? { accountSlot: accountSlot.at } : {}) } } : {};
    charged = (await showingSilence(ctx, take, ctx.activities.awaitProviderJob({ ...job, ...handOver }))).costUsd;
    // The provider is done with the job: its slots go to the next in line while the video is fetched.
    const [finished] = await Promise.all([ctx.activities.collectTake(job), settle()]);
    run.takeFinished(take, finished);
    recordTakeEnded('finished', charged, takeTags(ctx));
    return take;
  } catch (err) {
    // A job the provider accepted is paid for whatever happened to us afterwards; before that, the
    // submitting activity's verdict decides. A finished job was settled at its actual price.
    if (!settled && (accepted || mayHaveCostMoney(err))) charged = estimate;
    if (isCancellation(err)) throw err;
    const reason = failureMessage(err);
    run.takeFailed(take, reason, charged);
    recordTakeEnded('failed', charged, takeTags(ctx));
    await recordBestEffort(`the failure of take ${take}`, () => ctx.activities.recordTakeFailure({ ...ctx.ref, take, error: reason, chargedUsd: charged }));
    run.fail('video_generating', `take ${take} failed: ${reason}`);
    return undefined;
  } finally {
    await settle();
  }
}

/**
 * A provider job past the model's longest documented run is shown as such ("fal silent for N
 * min") while the wait goes on: the job may still finish, and it is paid for either way.
 */
async function showingSilence<T>(ctx: SequenceContext, take: number, wait: Promise<T>): Promise<T> {
  const longestRunSec = MODELS[ctx.input.unit.model].longestRunSec;
  if (!ctx.paid || longestRunSec === undefined) return wait;
  const since = Date.now();
  let done = false;
  const watch = (async () => {
    if (await condition(() => done, longestRunSec * 1_000)) return;
    do {
      const minutes = Math.round((Date.now() - since) / 60_000);
      ctx.run.waitFor(`${ctx.input.provider} silent for ${minutes} min on take ${take} (its longest documented run is ${Math.round(longestRunSec / 60)} min); still waiting for it`);
      await ctx.report();
    } while (!(await condition(() => done, 60_000)));
    ctx.run.waitFor(undefined);
  })();
  try {
    return await wait;
  } finally {
    done = true;
    await watch;
  }
}

function takeTags(ctx: SequenceContext): TakeTags {
  return { project: ctx.ref.projectId, episode: ctx.ref.episode, model: ctx.input.unit.model };
}

function takeLabel(ctx: SequenceContext, take: number): string {
  const { projectId, episode, sequenceId } = ctx.ref;
  return `${projectId} ${episode} ${sequenceId} take ${take}`;
}

/** The critics' report; when they cannot run at all, a report that says so, and a person decides. */
async function criticise(ctx: SequenceContext, take: number, shots: UnitShot[]): Promise<{ report: CriticReport; ran: boolean }> {
  try {
    const continuity = continuityLinks(ctx);
    return { report: await ctx.activities.criticiseTake({ ...ctx.ref, take, expected: expectedVideo(ctx, shots), ...(continuity ? { continuity } : {}) }), ran: true };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const finding = { critic: 'critics', ok: false, message: `the critics could not check this take (${failureMessage(err)}): look at it yourself` };
    return { report: { ok: false, findings: [finding], checkedAt: new Date().toISOString() }, ran: false };
  }
}

/** The frames this take must meet where its plan links it to a neighbour (or to an end image). */
function continuityLinks(ctx: SequenceContext): CriticRequest['continuity'] {
  const { unit } = ctx.input;
  const { startFrame, endFramePath } = ctx.run;
  const previous = startFrame?.previous;
  const startsOn = previous && startFrame ? { path: startFrame.path, what: `${previous.sequenceId} ${takeFolderName(previous.take)}'s last frame` } : undefined;
  const endsOn =
    unit.endFrame?.kind === 'image'
      ? { path: unit.endFrame.path, what: `the plan's end frame (${unit.endFrame.path})` }
      : unit.endFrame?.kind === 'next' && endFramePath
        ? { path: endFramePath, what: `${unit.endFrame.sequenceId}'s start frame` }
        : undefined;
  if (!startsOn && !endsOn) return undefined;
  return { projectDir: unit.projectDir, ...(startsOn ? { startsOn } : {}), ...(endsOn ? { endsOn } : {}) };
}

function expectedVideo(ctx: SequenceContext, shots: UnitShot[]) {
  const { unit } = ctx.input;
  return { durationSec: shots.reduce((sum, s) => sum + s.duration, 0), aspectRatio: unit.aspectRatio, resolution: unit.resolution };
}

function failedFindings(report: CriticReport): string {
  return report.findings.filter((f) => !f.ok).map((f) => f.message).join('; ');
}
