import { stat } from 'node:fs/promises';
import type { AspectRatio, Resolution } from '../../domain/aspect-ratio.js';
import { criticReport, type CriticFinding, type CriticReport } from '../../domain/critic-report.js';
import { BLACK_FILTER, blackCritic } from './black.js';
import { checkDecodes } from './decodes.js';
import { durationCritic } from './duration.js';
import { FREEZE_FILTER, frozenCritic } from './frozen.js';
import { resolutionCritic } from './resolution.js';

export interface VideoExpectation {
  durationSec: number;
  aspectRatio: AspectRatio;
  /** The project's video resolution (videoResolution of its ratio). */
  resolution: Resolution;
}

/** Everything that judges the pictures needs a file that decoded. */
const NEED_A_DECODED_FILE = ['duration', 'resolution', 'black', 'frozen'];

/**
 * Checks a finished take on this machine (no paid calls) before a person sees it: one ffprobe and
 * one full decode, about a second for a 15 s 720p take. A missing file throws: that is a bug in
 * the caller, and a failing critic would only buy a retake.
 */
export async function criticiseVideo(path: string, expect: VideoExpectation, opts: { signal?: AbortSignal } = {}): Promise<CriticReport> {
  await stat(path);
  const { finding, decoded } = await checkDecodes(path, [BLACK_FILTER, FREEZE_FILTER], opts.signal);
  if (!decoded) return criticReport([finding, ...NEED_A_DECODED_FILE.map(skipped)], new Date());
  const { probe, log } = decoded;
  return criticReport(
    [
      finding,
      durationCritic(probe.durationSec, expect.durationSec),
      resolutionCritic(probe, expect),
      blackCritic(log, probe.durationSec),
      frozenCritic(log, probe.durationSec),
    ],
    new Date(),
  );
}

function skipped(critic: string): CriticFinding {
  return { critic, ok: false, message: 'skipped: the file does not decode' };
}
