import { stretchFinding, type CriticFinding } from '../../domain/critic-report.js';

/**
 * A frame is black when 98% of its pixels are darker than ffmpeg's default pixel threshold, which
 * spares night scenes with a lit window. Runs shorter than 0.1 s are ignored: a dip at a cut is
 * editing, not a defect.
 */
export const BLACK_FILTER = 'blackdetect=d=0.1:pic_th=0.98';

export function blackCritic(decodeLog: string, durationSec: number): CriticFinding {
  return stretchFinding('black', blackRuns(decodeLog), durationSec);
}

/** blackdetect writes one line per run, with its length, once the run is over or the file ends. */
function blackRuns(log: string): number[] {
  return [...log.matchAll(/black_start:\s*\S+\s+black_end:\s*\S+\s+black_duration:\s*([\d.]+)/g)].map((m) => Number(m[1]));
}
