import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, Connection } from '@temporalio/client';
import pc from 'picocolors';
import { sequenceWorkflowId } from '../../domain/ids.js';
import { approveSignal, retakeSignal, selectFrameSignal } from '../../contract/sequence.js';
import { runtimeError } from '../cli-error.js';
import { readBoard, type BoardRow } from '../read-board.js';

export interface DirectorPlan {
  projectId: string;
  episode: string;
  sequenceCount: number;
  /** The quadrant the demo picks from each start-frame grid. */
  quadrant: number;
  /** This sequence gets one retake before its approval, so the demo shows the loop. */
  retakeSequence?: string;
  retakePrompt: { shot: number; prompt: string };
  deadlineMs: number;
}

/**
 * The demo's stand-in for a person: watches the board, asks for one retake, approves every
 * finished take, and returns when every sequence is approved.
 */
export async function directEpisode(client: Client, connection: Connection, plan: DirectorPlan): Promise<BoardRow[]> {
  const handled = new Set<string>();
  const deadline = Date.now() + plan.deadlineMs;
  for (;;) {
    const rows = await readBoard(client, connection, { projectId: plan.projectId, episode: plan.episode });
    const failed = rows.find((r) => r.state === 'failed');
    if (failed) throw runtimeError(`${failed.sequenceId} failed: ${failed.status?.failure ?? 'see `npx recoil status`'}`);
    if (rows.length >= plan.sequenceCount && rows.every((r) => r.state === 'approved')) return rows;
    for (const row of rows) await actOn(client, row, plan, handled);
    if (Date.now() > deadline) throw runtimeError(`the demo did not finish within ${plan.deadlineMs / 1000} s; see \`npx recoil status ${plan.projectId}\``);
    await sleep(500);
  }
}

async function actOn(client: Client, row: BoardRow, plan: DirectorPlan, handled: Set<string>): Promise<void> {
  const handle = client.workflow.getHandle(sequenceWorkflowId(plan.projectId, plan.episode, row.sequenceId));
  const status = row.status;
  const grid = status?.grids.at(-1);
  if (status?.state === 'frame_review' && grid && !handled.has(`${row.sequenceId}:g${grid.grid}`)) {
    handled.add(`${row.sequenceId}:g${grid.grid}`);
    await handle.signal(selectFrameSignal, { grid: grid.grid, quadrant: plan.quadrant, by: 'demo-director' });
    console.log(`  ${pc.cyan('◧')} ${row.sequenceId} g${String(grid.grid).padStart(3, '0')}: quadrant ${plan.quadrant} picked as the start frame (${grid.quadrants[plan.quadrant - 1]})`);
    return;
  }
  const last = status?.takes.at(-1);
  if (!status || status.state !== 'video_complete' || !last || handled.has(`${row.sequenceId}:${last.take}`)) return;
  handled.add(`${row.sequenceId}:${last.take}`);
  const takeName = `t${String(last.take).padStart(3, '0')}`;
  if (row.sequenceId === plan.retakeSequence && status.takes.length === 1) {
    const note = 'Push in slower and hold on the van before the cut';
    await handle.signal(retakeSignal, { by: 'demo-director', note, shots: { [plan.retakePrompt.shot]: plan.retakePrompt.prompt } });
    console.log(`  ${pc.yellow('↻')} ${row.sequenceId} ${takeName}: retake requested by demo-director — "${note}"`);
    return;
  }
  await handle.signal(approveSignal, { take: last.take, by: 'demo-producer', note: 'Looks right for the pilot' });
  console.log(`  ${pc.green('✓')} ${row.sequenceId} ${takeName}: approved by demo-producer (${last.videoPath ?? ''})`);
}
