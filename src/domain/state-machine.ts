/**
 * The sequence lifecycle of contract.md §3 as a pure transition function.
 * The workflow applies events through it, so a refused event never changes state.
 */
export const SEQUENCE_STATES = [
  'pending',
  'frame_generating',
  'frame_review',
  'video_generating',
  'video_complete',
  'approved',
  'failed',
] as const;
export type SequenceState = (typeof SEQUENCE_STATES)[number];

export type SequenceEvent =
  | { type: 'start_frames' }
  | { type: 'frames_ready' }
  | { type: 'select_frame' }
  | { type: 'regenerate_frames' }
  | { type: 'start_video' }
  | { type: 'video_ready' }
  | { type: 'approve' }
  | { type: 'retake' }
  | { type: 'fail' };

export type Transition = { ok: true; state: SequenceState } | { ok: false; reason: string };

/** The stage a failed sequence returns to on retake. */
export type GeneratingStage = 'frame_generating' | 'video_generating';

const allowed: Record<SequenceState, Partial<Record<SequenceEvent['type'], SequenceState>>> = {
  pending: { start_frames: 'frame_generating', start_video: 'video_generating' },
  frame_generating: { frames_ready: 'frame_review', fail: 'failed' },
  frame_review: { select_frame: 'video_generating', regenerate_frames: 'frame_generating' },
  video_generating: { video_ready: 'video_complete', fail: 'failed' },
  video_complete: { approve: 'approved', retake: 'video_generating', regenerate_frames: 'frame_generating' },
  approved: {},
  failed: { retake: 'video_generating', regenerate_frames: 'frame_generating' },
};

const refusalReasons: Partial<Record<SequenceState, string>> = {
  pending: 'the sequence has not started generating yet',
  frame_generating: 'start-frame options are still being generated',
  video_generating: 'a take is still being generated; wait until it is video_complete',
  approved: 'the sequence is already approved',
};

export function transition(state: SequenceState, event: SequenceEvent): Transition {
  const next = allowed[state][event.type];
  if (next) return { ok: true, state: next };
  const why = refusalReasons[state] ?? `"${event.type}" does not apply in state ${state}`;
  return { ok: false, reason: `cannot ${event.type.replace('_', ' ')}: ${why}` };
}

export function isTerminal(state: SequenceState): boolean {
  return state === 'approved';
}

/** States in which a person is expected to act. */
export function awaitsPerson(state: SequenceState): boolean {
  return state === 'video_complete' || state === 'frame_review' || state === 'failed';
}
