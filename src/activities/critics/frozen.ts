import { stretchFinding, type CriticFinding, type Stretch } from '../../domain/critic-report.js';

/**
 * freezedetect holds a reference frame until a later one differs from it by more than n (mean
 * absolute difference, as a fraction of full scale); d is how long that must last to count.
 *
 * n is tiny because of our own animatics: a 10% push-in over a single 15 s shot moves a smooth
 * card so little that x264 (crf 28) leaves each 2 s GOP almost unchanged, then catches up at the
 * next keyframe; a frame differs from the one 1 s before by as little as 0.0003. n=0.0005 marks
 * ~60% of such a take frozen, 0.0002 none of it. A looped still, even re-encoded with a keyframe
 * every second or with light grain the encoder smooths away, still comes out 100% frozen. The cost:
 * a still under visible noise (above ~0.0002) passes.
 */
export const FREEZE_FILTER = 'freezedetect=n=0.0002:d=1';

export function frozenCritic(decodeLog: string, durationSec: number): CriticFinding {
  return stretchFinding('frozen', freezes(decodeLog, durationSec), durationSec);
}

/**
 * freezedetect logs start, duration and end as separate lines. A freeze still running when the
 * file ends gets no end line, so it lasts to the end. Older builds (ours, 2018) skip the start line
 * when a freeze is noticed on the frame that ends it, so such a freeze starts its duration before its end.
 */
function freezes(log: string, durationSec: number): Stretch[] {
  const stretches: Stretch[] = [];
  let openSince: number | undefined;
  let lasted = 0;
  for (const [, key, value] of log.matchAll(/lavfi\.freezedetect\.freeze_(start|duration|end):\s*([\d.]+)/g)) {
    const seconds = Number(value);
    if (key === 'start') openSince = seconds;
    else if (key === 'duration') lasted = seconds;
    else {
      stretches.push({ startSec: openSince ?? Math.max(0, seconds - lasted), endSec: seconds });
      openSince = undefined;
      lasted = 0;
    }
  }
  if (openSince !== undefined) stretches.push({ startSec: openSince, endSec: Math.max(openSince, durationSec) });
  return stretches;
}
