import { isCancellation, log, patched } from '@temporalio/workflow';
import type { CriticReport } from '../domain/critic-report.js';
import type { UnitShot } from '../domain/sequence-unit.js';
import { recordBestEffort, handlesFailure } from './best-effort.js';
import { failureMessage, failureType } from './failure-message.js';
import type { SequenceContext } from './sequence-context.js';
import type { TakeSummary } from './sequence-messages.js';

/**
 * Makes takes until one passes the critics (or the automatic retakes run out), then hands it
 * to a person: video_generating → video_complete, or → failed with the reason.
 */
export async function produceTake(ctx: SequenceContext, shots: UnitShot[], retakeNote: string | undefined): Promise<void> {
  let autoRetakesLeft = ctx.input.autoRetakes;
  let note = retakeNote;
  for (;;) {
    const take = await generateTake(ctx, shots, note);
    if (!take) return;
    const { report, ran } = await criticise(ctx, take.take, shots);
    take.critics = report;
    await ctx.report();
    // Only a verdict pays for an automatic retake; critics that could not run leave it to a person.
    if (report.ok || !ran || autoRetakesLeft <= 0 || ctx.run.takesLeft <= 0) {
      ctx.run.apply({ type: 'video_ready' }, 'pipeline', take.critics.ok ? `take ${take.take} finished and passed the critics` : `take ${take.take} finished; critics flagged it`);
      return;
    }
    autoRetakesLeft--;
    take.state = 'rejected_by_critics';
    note = `automatic retake: critics rejected take ${take.take} (${failedCritics(take)})`;
    log.info(note, { sequence: ctx.ref.sequenceId });
  }
}

async function generateTake(ctx: SequenceContext, shots: UnitShot[], retakeNote: string | undefined): Promise<TakeSummary | undefined> {
  const { run, input, link } = ctx;
  if (run.strictLimits && run.noTakesLeft) {
    run.fail('video_generating', run.noTakesLeft);
    return undefined;
  }
  const take = run.nextTake++;
  const estimate = ctx.paid ? input.unit.estimatedCostUsd : 0;
  const granted = await link.acquire('video', take, estimate, 'video_generating');
  if (!granted && ctx.paid) {
    run.fail('video_generating', 'the episode is not running, so no budget can be reserved: run `npx recoil run <project> --episode …` again to continue');
    return undefined;
  }
  const summary: TakeSummary = {
    take,
    state: 'generating',
    estimatedCostUsd: estimate,
    ...(run.startFrame ? { startFrame: run.startFrame.path } : {}),
    ...(retakeNote ? { retakeNote } : {}),
    startedAt: new Date().toISOString(),
  };
  run.takes.push(summary);
  await ctx.report();
  const request = {
    unit: input.unit,
    shots,
    take,
    provider: input.provider,
    ...(retakeNote ? { retakeNote } : {}),
    ...(run.startFrame ? { startFramePath: run.startFrame.path } : {}),
  };
  let charged = 0;
  try {
    const submitted = await ctx.activities.submitTake(request);
    Object.assign(summary, { requestId: submitted.requestId, folder: submitted.folder });
    const result = await ctx.activities.awaitTake({ ...request, requestId: submitted.requestId });
    charged = result.costUsd;
    Object.assign(summary, { state: 'complete', videoPath: result.videoPath, costUsd: result.costUsd, durationSec: result.durationSec });
    return summary;
  } catch (err) {
    // Once the provider may have queued the job, the budget counts its price as spent: fal bills
    // finished jobs and may bill refused ones, whatever happened to us afterwards.
    if (summary.requestId !== undefined || failureType(err) === 'UnknownSubmission') charged = estimate;
    if (isCancellation(err)) throw err;
    const reason = failureMessage(err);
    Object.assign(summary, { state: 'failed', error: reason, ...(charged ? { costUsd: charged } : {}) });
    if (patched('record-take-failure')) {
      await recordBestEffort(`the failure of take ${take}`, () => ctx.activities.recordTakeFailure({ ...ctx.ref, take, error: reason, chargedUsd: charged }));
    }
    run.fail('video_generating', `take ${take} failed: ${reason}`);
    return undefined;
  } finally {
    summary.finishedAt = new Date().toISOString();
    await link.settle('video', take, charged);
  }
}

/** The critics' report; when they cannot run at all, a report that says so, and a person decides. */
async function criticise(ctx: SequenceContext, take: number, shots: UnitShot[]): Promise<{ report: CriticReport; ran: boolean }> {
  try {
    return { report: await ctx.activities.criticiseTake({ ...ctx.ref, take, expected: expectedVideo(ctx, shots) }), ran: true };
  } catch (err) {
    if (!handlesFailure(err)) throw err;
    const finding = { critic: 'critics', ok: false, message: `the critics could not check this take (${failureMessage(err)}): look at it yourself` };
    return { report: { ok: false, findings: [finding], checkedAt: new Date().toISOString() }, ran: false };
  }
}

function expectedVideo(ctx: SequenceContext, shots: UnitShot[]) {
  const { unit } = ctx.input;
  return { durationSec: shots.reduce((sum, s) => sum + s.duration, 0), aspectRatio: unit.aspectRatio, resolution: unit.resolution };
}

function failedCritics(take: TakeSummary): string {
  return (take.critics?.findings ?? []).filter((f) => !f.ok).map((f) => f.message).join('; ');
}
