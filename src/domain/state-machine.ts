/**
 * The sequence lifecycle (docs/lifecycle.md) as a pure transition function.
 * The workflow applies events through it, so a refused event never changes state.
 */
export const SEQUENCE_STATES = [
  'pending',
  'frame_generating',
  'frame_review',
  'awaiting_budget',
  'video_generating',
  'video_complete',
  'approved',
  'failed',
] as const;
export type SequenceState = (typeof SEQUENCE_STATES)[number];

/** The stage a sequence generates in; a failed or budget-blocked sequence returns to it. */
export type GeneratingStage = 'frame_generating' | 'video_generating';

export type SequenceEvent =
  | { type: 'start_frames' }
  | { type: 'frames_ready' }
  | { type: 'select_frame' }
  | { type: 'regenerate_frames' }
  | { type: 'start_video' }
  | { type: 'video_ready' }
  | { type: 'approve' }
  | { type: 'retake' }
  | { type: 'fail' }
  | { type: 'wait_budget' }
  | { type: 'budget_granted'; stage: GeneratingStage };

export type Transition = { ok: true; state: SequenceState } | { ok: false; reason: string };

type Target = SequenceState | ((event: SequenceEvent) => SequenceState);

const backToStage = (event: SequenceEvent): SequenceState => (event.type === 'budget_granted' ? event.stage : 'failed');

const allowed: Record<SequenceState, Partial<Record<SequenceEvent['type'], Target>>> = {
  pending: { start_frames: 'frame_generating', start_video: 'video_generating' },
  frame_generating: { frames_ready: 'frame_review', fail: 'failed', wait_budget: 'awaiting_budget' },
  frame_review: { select_frame: 'video_generating', regenerate_frames: 'frame_generating' },
  awaiting_budget: { budget_granted: backToStage, fail: 'failed' },
  video_generating: { video_ready: 'video_complete', fail: 'failed', wait_budget: 'awaiting_budget' },
  video_complete: { approve: 'approved', retake: 'video_generating', regenerate_frames: 'frame_generating' },
  approved: {},
  failed: { retake: 'video_generating', regenerate_frames: 'frame_generating' },
};

const refusalReasons: Partial<Record<SequenceState, string>> = {
  pending: 'the sequence has not started generating yet',
  frame_generating: 'start-frame options are still being generated',
  frame_review: 'a start frame must be picked first (`recoil frame … --quadrant N`)',
  awaiting_budget: 'the sequence is waiting for budget (`recoil budget`)',
  video_generating: 'a take is still being generated; wait until it is video_complete',
  approved: 'the sequence is already approved',
};

export function transition(state: SequenceState, event: SequenceEvent): Transition {
  const target = allowed[state][event.type];
  if (target) return { ok: true, state: typeof target === 'function' ? target(event) : target };
  const why = refusalReasons[state] ?? `"${event.type}" does not apply in state ${state}`;
  return { ok: false, reason: `cannot ${event.type.replace(/_/g, ' ')}: ${why}` };
}
