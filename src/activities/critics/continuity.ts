import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ContinuityLinks, FrameToMeet } from '../../contract/activities.js';
import type { CriticFinding } from '../../domain/critic-report.js';
import { ffmpegPath } from '../media/binaries.js';
import { extractLastFrame } from '../media/last-frame.js';
import { runProcess } from '../media/run-process.js';


/**
 * Both pictures are shrunk to a thumbnail before comparing: what a cut shows is composition and
 * light, not the model's grain, and a caption or a compression block must not read as a jump.
 * Mean absolute difference per channel, 0–255: a chained cut measures a few, a jump tens.
 */
const THUMB = { width: 32, height: 18 };
export const JUMP_THRESHOLD = 20;

/**
 * Where the take must cut together with a neighbour, whether it does: its first frame against the
 * frame it was chained from, its last against the frame it must end on. No link, no finding.
 */
export async function continuityFindings(videoPath: string, links: ContinuityLinks): Promise<CriticFinding[]> {
  if (!links.startsOn && !links.endsOn) return [];
  const scratch = await mkdtemp(join(tmpdir(), 'recoil-continuity-'));
  try {
    const findings: CriticFinding[] = [];
    if (links.startsOn) {
      const first = join(scratch, 'first.png');
      await runProcess(ffmpegPath(), ['-hide_banner', '-v', 'error', '-y', '-i', videoPath, '-frames:v', '1', first]);
      findings.push(await meet('first', first, links.startsOn));
    }
    if (links.endsOn) {
      const last = join(scratch, 'last.png');
      await extractLastFrame(videoPath, last);
      findings.push(await meet('last', last, links.endsOn));
    }
    return findings;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function meet(which: 'first' | 'last', frame: string, target: FrameToMeet): Promise<CriticFinding> {
  const difference = await meanDifference(frame, target.path);
  const measured = { frame: which, difference: Number(difference.toFixed(1)), threshold: JUMP_THRESHOLD };
  if (difference <= JUMP_THRESHOLD) {
    return { critic: 'continuity', ok: true, message: `the ${which} frame meets ${target.what} (difference ${measured.difference} of 255)`, measured };
  }
  return {
    critic: 'continuity',
    ok: false,
    message: `a jump at the cut: the ${which} frame differs from ${target.what} by ${measured.difference} of 255 (more than ${JUMP_THRESHOLD})`,
    measured,
  };
}

async function meanDifference(a: string, b: string): Promise<number> {
  const thumb = (path: string) => sharp(path).removeAlpha().resize(THUMB.width, THUMB.height, { fit: 'fill' }).raw().toBuffer();
  const [x, y] = await Promise.all([thumb(a), thumb(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}
