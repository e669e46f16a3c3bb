import { isCancellation } from '@temporalio/workflow';
import { failureMessage, mayHaveCostMoney } from './failure-message.js';
import type { SequenceContext } from './sequence-context.js';

/** frame_generating → frame_review: one new numbered 2x2 grid of start-frame options. */
export async function exploreFrames(ctx: SequenceContext): Promise<void> {
  const { run, input, link } = ctx;
  const { unit } = input;
  const grid = run.allocateGrid();
  const prompt = run.takeGridPrompt();
  const estimate = ctx.paid ? unit.estimatedGridCostUsd : 0;
  const granted = await link.acquire('grid', grid, estimate, 'frame_generating');
  if (!granted && ctx.paid) {
    run.fail('frame_generating', 'the episode is not running, so no budget can be reserved: run `npx recoil run` again to continue');
    return;
  }
  let charged = 0;
  try {
    const summary = await ctx.activities.executeGridExploration({
      ...ctx.ref,
      grid,
      prompt,
      aspectRatio: unit.aspectRatio,
      provider: input.provider === 'local' ? 'local' : 'gemini',
    });
    charged = summary.costUsd;
    run.gridReady(summary);
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (mayHaveCostMoney(err)) charged = estimate;
    run.fail('frame_generating', `grid ${grid} failed: ${failureMessage(err)}`);
  } finally {
    await link.settle('grid', grid, charged);
  }
}
