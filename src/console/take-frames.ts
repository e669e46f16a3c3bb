import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ffmpegPath } from '../activities/media/binaries.js';
import { extractLastFrame } from '../activities/media/last-frame.js';
import { runProcess } from '../activities/media/run-process.js';

export type FrameEnd = 'first' | 'last';

/** Wide enough for a picker card and a filmstrip, small enough to keep a few hundred in memory. */
const FRAME_WIDTH = 640;
const CACHED_FRAMES = 300;

/**
 * A take's first or last frame as a JPEG, for the Board's filmstrip and the start-frame picker.
 * Pulled from the video on first request and kept in memory by file and modification time: a take
 * is never rewritten, so a frame never goes stale, and nothing is written beside the take.
 */
export class TakeFrames {
  private readonly cache = new Map<string, Promise<Buffer>>();

  async frame(videoPath: string, end: FrameEnd): Promise<Buffer> {
    const { mtimeMs } = await stat(videoPath);
    const key = `${videoPath}:${mtimeMs}:${end}`;
    let frame = this.cache.get(key);
    if (!frame) {
      frame = extract(videoPath, end);
      this.cache.set(key, frame);
      frame.catch(() => this.cache.delete(key));
      if (this.cache.size > CACHED_FRAMES) this.cache.delete(this.cache.keys().next().value!);
    }
    return frame;
  }
}

async function extract(videoPath: string, end: FrameEnd): Promise<Buffer> {
  const scratch = await mkdtemp(join(tmpdir(), 'recoil-console-frame-'));
  try {
    const png = join(scratch, 'frame.png');
    if (end === 'last') await extractLastFrame(videoPath, png);
    else await runProcess(ffmpegPath(), ['-hide_banner', '-v', 'error', '-y', '-i', videoPath, '-frames:v', '1', png], { personWaits: true });
    return await sharp(await readFile(png)).resize({ width: FRAME_WIDTH, withoutEnlargement: true }).jpeg({ quality: 82 }).toBuffer();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
