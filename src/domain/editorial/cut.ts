import { numberedName, takeFolderName } from '../ids.js';
import { noteFrames, type NoteColour, type TakeNote } from '../take-notes.js';
import { hoursToFrames, secondsToFrames, type FrameRate } from '../timecode.js';

/**
 * One delivered version of an episode as an editor sees it: the approved takes end to end, one
 * clip per sequence (a take is one continuous generation; the shots inside it are the model's
 * transitions, marked but not cut). Every number is in frames at the takes' common rate.
 */
export interface EditorialCut {
  projectId: string;
  episode: string;
  version: number;
  rate: FrameRate;
  width: number;
  height: number;
  createdAt: string;
  clips: CutClip[];
}

export interface CutClip {
  sequenceId: string;
  take: number;
  reel: string;
  /** The take's video inside the delivery folder (media/…), relative to it and so to the .otio and .edl beside it. */
  mediaPath: string;
  frames: number;
  shots: CutShot[];
  /** Reviewers' notes on the take, at their frames inside the clip. */
  notes: CutNote[];
  /** What the source's A1 holds: the take's own sound, or silence where the take had none. */
  audio: 'take' | 'silence';
  provenance: ClipProvenance;
}

/** A reviewer's note as the editor gets it: where in the clip, what, by whom, in which colour. */
export interface CutNote {
  startFrame: number;
  frames: number;
  shot?: number;
  text: string;
  by: string;
  at: string;
  colour: NoteColour;
  drawing?: TakeNote['drawing'];
}

export interface CutShot {
  number: number;
  prompt: string;
  /** Where the plan puts the shot inside the take (the plan's durations, clamped to the take). */
  startFrame: number;
  frames: number;
}

/** Where the clip came from and what it cost: nothing an editor's tool would otherwise carry. */
export interface ClipProvenance {
  project: string;
  episode: string;
  sequence: string;
  take: number;
  provider: string;
  model: string;
  shotPrompts: string[];
  providerRequestId: string | null;
  estimatedCostUsd: number;
  actualCostUsd: number | null;
  critics: { ok: boolean; summary: string } | null;
  approvedBy: string | null;
  approvedAt: string | null;
  frameRate: string;
  durationSec: number;
}

/** Every delivered source has one stereo track A1 in this format, so sources and the cut splice cleanly. */
export const DELIVERED_AUDIO = { sampleRate: 48_000, channels: 2 } as const;

/** Each source's timecode starts at zero; the record side (the cut, the EDL, the OTIO) at one hour. */
export const SOURCE_START_FRAME = 0;

export function recordStartFrame(cut: Pick<EditorialCut, 'rate'>): number {
  return hoursToFrames(1, cut.rate);
}

export function cutTitle(cut: Pick<EditorialCut, 'episode' | 'version'>): string {
  return `${cut.episode} ${versionName(cut.version)}`;
}

export function versionName(version: number): string {
  return numberedName('v', version);
}

export function clipName(clip: Pick<CutClip, 'sequenceId' | 'take'>): string {
  return `${clip.sequenceId} ${takeFolderName(clip.take)}`;
}

export function cutFrames(cut: Pick<EditorialCut, 'clips'>): number {
  return cut.clips.reduce((sum, clip) => sum + clip.frames, 0);
}

/** Where each clip starts on the record side, in frames from the start of the cut. */
export function recordOffsets(cut: Pick<EditorialCut, 'clips'>): number[] {
  let at = 0;
  return cut.clips.map((clip) => {
    const start = at;
    at += clip.frames;
    return start;
  });
}

const REEL_LENGTH = 8;

/**
 * CMX reels are at most 8 characters and must differ per source: SEQ01 take 3 is "SEQ01T03".
 * Long or clashing sequence ids fall back to a numbered reel, still unique.
 */
export function reelNames(takes: readonly { sequenceId: string; take: number }[]): string[] {
  const used = new Set<string>();
  return takes.map(({ sequenceId, take }, i) => {
    const suffix = `T${String(take).padStart(2, '0')}`;
    const stem = sequenceId.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, REEL_LENGTH - suffix.length);
    let reel = suffix.length < REEL_LENGTH ? `${stem}${suffix}` : '';
    for (let n = i + 1; reel === '' || used.has(reel); n++) reel = `R${String(n).padStart(REEL_LENGTH - 1, '0')}`;
    used.add(reel);
    return reel;
  });
}

/**
 * The plan's shots laid over a take of `takeFrames` frames. Boundaries are rounded from the
 * running total so they never drift; the last shot runs to the end of the take.
 */
export function shotRanges(shots: readonly { prompt: string; duration: number }[], rate: FrameRate, takeFrames: number): CutShot[] {
  let plannedSec = 0;
  const ranges: CutShot[] = [];
  shots.forEach((shot, i) => {
    const startFrame = Math.min(takeFrames, secondsToFrames(plannedSec, rate));
    plannedSec += shot.duration;
    const end = i === shots.length - 1 ? takeFrames : Math.min(takeFrames, secondsToFrames(plannedSec, rate));
    if (end > startFrame) ranges.push({ number: i + 1, prompt: shot.prompt, startFrame, frames: end - startFrame });
  });
  return ranges;
}

/** The take's notes that fall inside its clip, in frame order, clamped so a range never runs past the clip. */
export function clipNotes(notes: readonly TakeNote[], clipFrames: number): CutNote[] {
  return notes
    .filter((n) => n.frame < clipFrames)
    .sort((a, b) => a.frame - b.frame)
    .map((n) => ({
      startFrame: n.frame,
      frames: Math.min(noteFrames(n), clipFrames - n.frame),
      ...(n.shot !== undefined ? { shot: n.shot } : {}),
      text: n.text,
      by: n.by,
      at: n.at,
      colour: n.colour,
      ...(n.drawing?.length ? { drawing: n.drawing } : {}),
    }));
}

/** A note on one line, as an EDL locator or a marker's name carries it. */
export function noteLine(note: Pick<CutNote, 'text'>): string {
  return note.text.replace(/\s+/g, ' ').trim();
}
