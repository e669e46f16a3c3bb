import { condition } from '@temporalio/workflow';
import type { SequenceContext } from './sequence-context.js';

/**
 * Before its first take, a sequence linked to a neighbour waits for what the link needs: the
 * previous sequence's approval (it starts from that take's last frame), and the next sequence's
 * start frame (it ends on it). It waits visibly, in status and the Web UI, and spends nothing.
 */
export async function settleFrameLinks(ctx: SequenceContext): Promise<void> {
  const { unit } = ctx.input;
  if (unit.startFrame?.kind === 'previous' && !ctx.run.startFrame) await startFromPrevious(ctx, unit.startFrame.sequenceId);
  if (unit.endFrame?.kind === 'next' && !ctx.run.endFramePath) {
    await waitVisibly(ctx, `${unit.endFrame.sequenceId}'s start frame: this sequence ends on it`, () => ctx.run.endFramePath !== undefined);
  }
}

async function startFromPrevious(ctx: SequenceContext, previousSequenceId: string): Promise<void> {
  const { run, ref, input } = ctx;
  const chain = (take?: number) => ctx.activities.chainStartFrame({ ...ref, previousSequenceId, resolution: input.unit.resolution, ...(take !== undefined ? { take } : {}) });
  // Approved in an earlier run of the episode: on disk already, and no one will say so again.
  const earlier = await chain();
  if (earlier) return run.useStartFrame(earlier);
  await waitVisibly(ctx, `${previousSequenceId}'s approval: this sequence starts from its last frame`, () => run.previousApproval !== undefined);
  const chained = await chain(run.previousApproval!.take);
  if (chained) run.useStartFrame(chained);
}

async function waitVisibly(ctx: SequenceContext, what: string, done: () => boolean): Promise<void> {
  if (done()) return;
  ctx.run.waitFor(what);
  await ctx.report();
  await condition(done);
  ctx.run.waitFor(undefined);
}
