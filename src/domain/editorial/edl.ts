import { framesToTimecode } from '../timecode.js';
import { clipName, cutTitle, noteLine, recordOffsets, recordStartFrame, SOURCE_START_FRAME, type CutClip, type EditorialCut } from './cut.js';

/**
 * The cut as a CMX 3600 EDL: one cut event per clip on picture and A1 (channel B), source time as
 * the source's timecode track has it, record time from 01:00:00:00, non-drop frame (23.976 fps
 * counts 24 timecode frames a second), the same events as the OTIO file.
 * Where each planned shot starts and every reviewer's note are locators (`* LOC:`) at their source
 * frame, in frame order, as Avid, Resolve and OTIO read them.
 */
export function cmx3600Edl(cut: EditorialCut): string {
  const recordStart = recordStartFrame(cut);
  const tc = (frames: number) => framesToTimecode(frames, cut.rate);
  const offsets = recordOffsets(cut);
  if (cut.clips.length > 999) throw new RangeError(`a CMX 3600 EDL holds at most 999 events, this cut has ${cut.clips.length}`);
  const events = cut.clips.flatMap((clip, i) => {
    const recordIn = recordStart + offsets[i]!;
    return [
      `${String(i + 1).padStart(3, '0')}  ${clip.reel.padEnd(8)} B     C        ${tc(SOURCE_START_FRAME)} ${tc(SOURCE_START_FRAME + clip.frames)} ${tc(recordIn)} ${tc(recordIn + clip.frames)}`,
      `* FROM CLIP NAME:  ${clipName(clip)}`,
      `* FROM CLIP: ${clip.mediaPath}`,
      ...locators(clip).map(({ frame, colour, text }) => `* LOC: ${tc(SOURCE_START_FRAME + frame)} ${colour.padEnd(7)} ${text}`),
    ];
  });
  return [`TITLE: ${cutTitle(cut)}`, 'FCM: NON-DROP FRAME', '', ...events, ''].join('\n');
}

/** The clip's shot starts (cyan, "shot 2: <prompt>") and notes, by frame; a shot before a note on the same frame. */
function locators(clip: CutClip): { frame: number; colour: string; text: string }[] {
  const shots = clip.shots.map((shot) => ({ frame: shot.startFrame, colour: 'CYAN', text: `shot ${shot.number}: ${noteLine({ text: shot.prompt })}` }));
  const notes = clip.notes.map((note) => ({ frame: note.startFrame, colour: note.colour, text: noteLine(note) }));
  return [...shots, ...notes].sort((a, b) => a.frame - b.frame);
}
