import type { Client } from '@temporalio/client';
import pc from 'picocolors';
import { gridFolderName, takeFolderName } from '../../domain/ids.js';
import type { SequenceDecision } from '../../review/decisions.js';
import { actAsProducer, throughTemporal, type SequenceView } from '../producer.js';

export interface DirectorPlan {
  projectId: string;
  episode: string;
  sequenceIds: string[];
  /** The quadrant the demo picks from each start-frame grid. */
  quadrant: number;
  /** This sequence gets one retake before its approval, so the demo shows the loop. */
  retakeSequence?: string;
  retakePrompt: { shot: number; prompt: string };
  /** Every finished take of this sequence gets a frame note (with a drawing) before its decision. */
  noteSequence?: string;
  deadlineMs: number;
}

const DIRECTOR = 'demo-director';
const RETAKE_NOTE = 'Push in slower and hold on the van before the cut';

/** Six seconds in: the middle of the second shot, where a director would stop to point at the van. */
const FRAME_NOTE: Omit<Extract<SequenceDecision, { kind: 'note' }>, 'kind' | 'take'> = {
  frame: 144,
  shot: 2,
  text: 'The van should read here: hold it a beat longer, keep the parcel in frame',
  colour: 'YELLOW',
  drawing: [
    { tool: 'rect', colour: 'YELLOW', points: [[0.32, 0.38], [0.7, 0.78]] },
    { tool: 'arrow', colour: 'YELLOW', points: [[0.12, 0.15], [0.3, 0.36]] },
  ],
};

/**
 * The demo's stand-in for a person: picks a frame from each grid, asks for one retake, approves
 * every other finished take, and returns when every sequence is approved.
 */
export async function directEpisode(client: Client, plan: DirectorPlan): Promise<void> {
  await actAsProducer({
    projectId: plan.projectId,
    episode: plan.episode,
    sequenceIds: plan.sequenceIds,
    policy: {
      by: DIRECTOR,
      quadrant: plan.quadrant,
      approveNote: 'Looks right for the pilot',
      noteFirst: (view) => (view.sequenceId === plan.noteSequence ? FRAME_NOTE : undefined),
      retakeInstead: (view) =>
        view.sequenceId === plan.retakeSequence && view.takes.length === 1 ? { note: RETAKE_NOTE, shots: { [plan.retakePrompt.shot]: plan.retakePrompt.prompt } } : undefined,
    },
    ...throughTemporal(client, plan.projectId, plan.episode, plan.sequenceIds),
    onDecision: (view, decision) => console.log(`  ${describe(view, decision)}`),
    pollMs: 500,
    deadlineMs: plan.deadlineMs,
  });
}

function describe(view: SequenceView, decision: SequenceDecision): string {
  const take = view.takes.at(-1);
  const takeName = take ? takeFolderName(take.take) : '';
  switch (decision.kind) {
    case 'selectFrame': {
      if (decision.previous) return `${pc.cyan('◧')} ${view.sequenceId}: the previous sequence's approved last frame picked as the start frame`;
      const grid = view.grids.find((g) => g.grid === decision.grid) ?? view.grids.at(-1);
      const picked = grid?.quadrants?.[(decision.quadrant ?? 1) - 1] ?? '';
      return `${pc.cyan('◧')} ${view.sequenceId} ${grid ? gridFolderName(grid.grid) : ''}: quadrant ${decision.quadrant} picked as the start frame (${picked})`;
    }
    case 'retake':
      return `${pc.yellow('↻')} ${view.sequenceId} ${takeName}: retake requested by ${DIRECTOR} — "${decision.note}"`;
    case 'approve':
      return `${pc.green('✓')} ${view.sequenceId} ${takeName}: approved by ${DIRECTOR} (${take?.videoPath ?? ''})`;
    case 'regenerateFrames':
      return `${pc.cyan('◧')} ${view.sequenceId}: new start frames requested by ${DIRECTOR}`;
    case 'note':
      return `${pc.magenta('✎')} ${view.sequenceId} ${takeName}: note at frame ${decision.frame} (shot ${decision.shot ?? '?'}) by ${DIRECTOR} — "${decision.text}"`;
    case 'settleSubmission':
      return `${pc.yellow('?')} ${view.sequenceId} take ${decision.take}: cut-off submission settled by ${DIRECTOR} (${decision.action})`;
  }
}
