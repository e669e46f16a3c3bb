import { stretchFinding, type CriticFinding, type Stretch } from '../../domain/critic-report.js';

/**
 * A frame is black when 98% of its pixels are darker than ffmpeg's default pixel threshold, which
 * spares night scenes with a lit window. Runs shorter than 0.1 s are ignored: a dip at a cut is
 * editing, not a defect.
 */
export const BLACK_FILTER = 'blackdetect=d=0.1:pic_th=0.98';

export function blackCritic(decodeLog: string, durationSec: number): CriticFinding {
  return stretchFinding('black', blackRuns(decodeLog), durationSec);
}

/** blackdetect writes one line per run, with where it starts and ends, once the run is over or the file ends. */
function blackRuns(log: string): Stretch[] {
  // A stream whose timestamps start below zero (edit lists) can report a run starting before 0.
  return [...log.matchAll(/black_start:\s*(-?[\d.]+)\s+black_end:\s*(-?[\d.]+)/g)].map((m) => ({
    startSec: Math.max(0, Number(m[1])),
    endSec: Math.max(0, Number(m[2])),
  }));
}
