import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { matchesRatio, type AspectRatio } from '../../domain/aspect-ratio.js';
import { criticReport, type CriticFinding, type CriticReport } from '../../domain/critic-report.js';
import { QUADRANTS, quadrantBounds, type Quadrant } from '../../domain/quadrants.js';
import { describeRatio, dimensions } from './resolution.js';

interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** Small enough to ignore compression noise and grid lines, big enough to tell two pictures apart. */
const THUMBNAIL_SIDE = 16;
/**
 * Mean absolute difference of two quadrants' thumbnails, as a fraction of full scale, under which
 * they are one picture twice. The local renderer's closest quadrants differ by 0.08 or more (45
 * grids, every ratio; 0.04 even in greyscale); a picture copied four times into a JPEG differs from
 * itself by far less than 0.02.
 */
const SAME_PICTURE_BELOW = 0.02;

/**
 * Checks a 2x2 start-frame grid on this machine before a person picks from it: it decodes, has
 * the project's ratio, and offers four different pictures.
 */
export async function criticiseGrid(path: string, aspectRatio: AspectRatio): Promise<CriticReport> {
  await stat(path);
  const { finding, pixels } = await decodeImage(path);
  if (!pixels) return criticReport([finding, skipped('aspect-ratio'), skipped('quadrants')], new Date());
  return criticReport([finding, ratioCritic(pixels, aspectRatio), await quadrantsCritic(pixels)], new Date());
}

async function decodeImage(path: string): Promise<{ finding: CriticFinding; pixels?: Pixels }> {
  try {
    const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
    const { width, height, channels } = info;
    return {
      finding: { critic: 'decodes', ok: true, message: `decodes (${dimensions(info)})`, measured: { width, height } },
      pixels: { data, width, height, channels },
    };
  } catch (err) {
    return { finding: { critic: 'decodes', ok: false, message: `not an image we can read: ${(err as Error).message}` } };
  }
}

function ratioCritic(pixels: Pixels, aspectRatio: AspectRatio): CriticFinding {
  const ok = matchesRatio(pixels, aspectRatio);
  const seen = `${dimensions(pixels)} (${describeRatio(pixels)})`;
  return {
    critic: 'aspect-ratio',
    ok,
    message: ok ? `${seen} matches the project's ${aspectRatio}` : `${seen} but the project is ${aspectRatio}`,
    measured: { width: pixels.width, height: pixels.height, ratio: describeRatio(pixels) },
  };
}

async function quadrantsCritic(pixels: Pixels): Promise<CriticFinding> {
  if (pixels.width < 2 || pixels.height < 2) {
    return { critic: 'quadrants', ok: false, message: `${dimensions(pixels)} is too small to hold four pictures` };
  }
  const thumbnails = await Promise.all(QUADRANTS.map((q) => thumbnail(pixels, q)));
  const pairs = QUADRANTS.flatMap((a, i) =>
    QUADRANTS.slice(i + 1).map((b, j) => ({ a, b, difference: meanDifference(thumbnails[i]!, thumbnails[i + 1 + j]!) })),
  );
  const same = pairs.filter((p) => p.difference < SAME_PICTURE_BELOW);
  const closest = pairs.reduce((min, p) => (p.difference < min.difference ? p : min));
  return {
    critic: 'quadrants',
    ok: same.length === 0,
    message: same.length === 0 ? 'the four quadrants are different pictures' : sameMessage(same),
    measured: { closestPair: `${closest.a}-${closest.b}`, smallestDifference: Math.round(closest.difference * 1000) / 1000 },
  };
}

/** One quadrant shrunk to a few pixels per side, in RGB whatever the source's channels. */
function thumbnail({ data, width, height, channels }: Pixels, quadrant: Quadrant): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels } })
    .extract(quadrantBounds(width, height, quadrant))
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'fill' })
    .flatten({ background: '#000' })
    .toColourspace('srgb')
    .raw()
    .toBuffer();
}

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length / 255;
}

function sameMessage(same: { a: Quadrant; b: Quadrant }[]): string {
  if (same.length === 6) return 'all four quadrants are the same picture';
  return `${same.map((p) => `quadrants ${p.a} and ${p.b}`).join(', ')} are the same picture`;
}

function skipped(critic: string): CriticFinding {
  return { critic, ok: false, message: 'skipped: the image does not decode' };
}
