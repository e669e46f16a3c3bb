import { takeFolderName } from '../ids.js';
import { cutTitle, recordOffsets, type EditorialCut } from './cut.js';

/** A line drawn on the burn-in cut from one frame to another (both included), in record frames. */
export interface BurnInCaption {
  firstFrame: number;
  lastFrame: number;
  text: string;
}

/** Which version, sequence, take and shot the picture is, for every planned shot of the cut. */
export function burnInCaptions(cut: EditorialCut): BurnInCaption[] {
  const offsets = recordOffsets(cut);
  return cut.clips.flatMap((clip, i) =>
    clip.shots.map((shot) => ({
      firstFrame: offsets[i]! + shot.startFrame,
      lastFrame: offsets[i]! + shot.startFrame + shot.frames - 1,
      text: `${cutTitle(cut)} · ${clip.sequenceId} ${takeFolderName(clip.take)} · shot ${shot.number}/${clip.shots.length}`,
    })),
  );
}
