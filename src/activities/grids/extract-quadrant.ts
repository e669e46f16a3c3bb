import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import writeFileAtomic from 'write-file-atomic';
import type { Resolution } from '../../domain/aspect-ratio.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { GRID_ROWS, QUADRANTS, quadrantBounds, type Bounds, type Quadrant } from '../../domain/quadrants.js';

export const START_FRAME_FILE = 'start_frame.png';

/** q1.png…q4.png, beside the grid. */
export function quadrantFileName(quadrant: Quadrant): string {
  return `q${quadrant}.png`;
}

/**
 * PNG is lossless at every level; the level only trades file size for time. At the default (6)
 * encoding is most of the cost; level 1 writes files about twice as large, in about a quarter of
 * the time (bench/quadrants.ts).
 */
export const QUADRANT_PNG = { compressionLevel: 1 } as const;

export interface ExtractedQuadrants {
  /** Absolute paths of q1.png…q4.png. */
  quadrants: string[];
  /** True when the target's ratio forced 'cover' to cut pixels off some quadrant (for the manifest). */
  cropped: boolean;
}

/**
 * Cuts a 2x2 grid into four start-frame candidates at the video resolution. Each row of panels is
 * decoded once into memory and its two quadrants are cut from those pixels, rather than each
 * quadrant decoding the file again. The two rows decode side by side: a PNG can only be read from
 * the top, so the top row is ready halfway through the bottom row's decode and its quadrants start
 * while the bottom row is still decoding. Each file is written under a temporary name and renamed,
 * so no reader sees half a PNG.
 */
export async function extractGridQuadrants(gridPath: string, target: Resolution): Promise<ExtractedQuadrants> {
  const { width = 0, height = 0 } = await sharp(gridPath).metadata();
  if (width < 2 || height < 2) throw new Error(`${gridPath} is ${width}×${height}: too small to hold a 2x2 grid`);
  const rows = GRID_ROWS.map(async (row) => {
    const { top, height: rowHeight } = quadrantBounds(width, height, row[0]!);
    const band = await decodeBand(gridPath, { left: 0, top, width, height: rowHeight });
    return Promise.all(
      row.map((q) => writeQuadrant(band, quadrantBounds(width, height, q), target, join(dirname(gridPath), quadrantFileName(q)))),
    );
  });
  const quadrants = (await Promise.all(rows)).flat();
  const cropped = QUADRANTS.some((q) => coverCrops(quadrantBounds(width, height, q), target));
  return { quadrants, cropped };
}

interface RawBand {
  data: Buffer;
  raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
  top: number;
}

async function decodeBand(gridPath: string, band: Bounds): Promise<RawBand> {
  // Sequential: the PNG streams straight into our buffer instead of through a full-size copy first.
  // No alpha: a video frame has none, and resizing three channels instead of four is a third cheaper.
  const { data, info } = await sharp(gridPath, { sequentialRead: true })
    .extract(band)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, raw: { width: info.width, height: info.height, channels: info.channels }, top: band.top };
}

async function writeQuadrant({ data, raw, top }: RawBand, panel: Bounds, target: Resolution, out: string): Promise<string> {
  const tmp = `${out}.${randomUUID()}.tmp`;
  await sharp(data, { raw })
    .extract({ ...panel, top: panel.top - top })
    // Mitchell: a high-quality bicubic, a little cheaper than lanczos3 for this mild downscale.
    .resize(target.width, target.height, { fit: 'cover', kernel: 'mitchell' })
    .png(QUADRANT_PNG)
    .toFile(tmp);
  await rename(tmp, out);
  return out;
}

/**
 * Whether scaling to cover the target cuts pixels off. An odd grid's wider half loses at most one
 * row or column to rounding: that is the halving, not a reframing, so it does not count.
 */
function coverCrops(source: Bounds, target: Resolution): boolean {
  const scale = Math.max(target.width / source.width, target.height / source.height);
  return Math.round(source.width * scale) - target.width > 1 || Math.round(source.height * scale) - target.height > 1;
}

/**
 * Makes the chosen quadrant the sequence's start frame, `clean/start_frame.png`, and returns its
 * location. Earlier choices are never lost: the current frame is first kept as
 * `start_frame.<timestamp>.png`. Choosing the frame already in place (a retried activity) changes nothing.
 */
export async function selectStartFrame(store: ArtifactStore, quadrantPath: string, cleanDir: string): Promise<string> {
  await mkdir(cleanDir, { recursive: true });
  const startFrame = join(cleanDir, START_FRAME_FILE);
  const [chosen, current] = await Promise.all([readFile(quadrantPath), storedBytes(store, startFrame)]);
  if (current?.equals(chosen)) return store.location(startFrame);
  if (current) await keepEarlierFrame(store, current, cleanDir);
  await writeFileAtomic(startFrame, chosen);
  await store.publish(startFrame);
  return store.location(startFrame);
}

async function keepEarlierFrame(store: ArtifactStore, frame: Buffer, cleanDir: string): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // Exclusive: two replacements in the same millisecond get -1, -2… instead of one clobbering the other.
  for (let n = 0; ; n++) {
    const path = join(cleanDir, `start_frame.${stamp}${n === 0 ? '' : `-${n}`}.png`);
    const written = await writeFile(path, frame, { flag: 'wx' }).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return false;
        throw err;
      },
    );
    if (written && (await store.publish(path, { ifAbsent: true }))) return;
  }
}

async function storedBytes(store: ArtifactStore, path: string): Promise<Buffer | undefined> {
  return (await store.fetch(path)) ? readFile(path) : undefined;
}
