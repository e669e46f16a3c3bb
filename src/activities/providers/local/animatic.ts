import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Resolution } from '../../../domain/aspect-ratio.js';
import { ffmpegPath } from '../../media/binaries.js';
import { runProcess } from '../../media/run-process.js';
import { renderShotLayers } from './cards.js';

export interface AnimaticShot {
  prompt: string;
  duration: number;
}

export interface AnimaticOptions {
  outPath: string;
  resolution: Resolution;
  shots: AnimaticShot[];
  sequenceId: string;
  /** The first shot opens on this image, so the video's first frame is the chosen start frame. */
  startFramePath?: string;
  /** The last shot pulls back to this image, so the video's last frame is the frame it must end on. */
  endFramePath?: string;
  seed: string;
  signal?: AbortSignal;
  fps?: number;
}

const DEFAULT_FPS = 24;
/** How much of the frame the camera pushes past over a shot: slow enough to read the caption. */
const PUSH_IN = 0.1;
/** Fixed so the bitstream does not depend on the machine's core count (same input, same bytes). */
const ENCODER_THREADS = '2';

interface ShotInput {
  background: string;
  overlay: string;
  frames: number;
  /** The move ends on the whole still rather than starting on it. */
  pullBack: boolean;
}

/**
 * Renders one still card per shot, pushes the camera slowly into each, and encodes the cut as an
 * H.264 MP4 in one ffmpeg run. The file appears at outPath only when complete.
 */
export async function renderAnimatic(options: AnimaticOptions): Promise<{ durationSec: number }> {
  const fps = options.fps ?? DEFAULT_FPS;
  assertRenderable(options, fps);
  options.signal?.throwIfAborted();
  await mkdir(dirname(options.outPath), { recursive: true });
  const workDir = await mkdtemp(join(tmpdir(), 'recoil-animatic-'));
  const partialPath = join(dirname(options.outPath), `.${basename(options.outPath)}.${randomUUID()}.partial`);
  try {
    const inputs = await writeShotInputs(options, fps, workDir);
    options.signal?.throwIfAborted();
    await runProcess(ffmpegPath(), ffmpegArgs(inputs, fps, partialPath), { signal: options.signal });
    await rename(partialPath, options.outPath);
    return { durationSec: totalFrames(inputs) / fps };
  } finally {
    await Promise.all([rm(workDir, { recursive: true, force: true }), rm(partialPath, { force: true })]);
  }
}

function assertRenderable({ resolution, shots }: AnimaticOptions, fps: number): void {
  const { width, height } = resolution;
  const even = (n: number) => Number.isInteger(n) && n > 0 && n % 2 === 0;
  // yuv420p stores colour per 2×2 block, so H.264 players need even sizes.
  if (!even(width) || !even(height)) throw new Error(`Animatic resolution must be even and positive, got ${width}x${height}`);
  if (shots.length === 0) throw new Error('An animatic needs at least one shot');
  const bad = shots.findIndex((s) => !(Number.isFinite(s.duration) && s.duration > 0));
  if (bad >= 0) throw new Error(`Shot ${bad + 1} has an invalid duration: ${shots[bad]!.duration}`);
  if (!(Number.isFinite(fps) && fps > 0)) throw new Error(`Invalid frame rate: ${fps}`);
}

async function writeShotInputs(options: AnimaticOptions, fps: number, workDir: string): Promise<ShotInput[]> {
  const { resolution, shots, sequenceId, seed, startFramePath, endFramePath } = options;
  return Promise.all(
    shots.map(async (shot, i) => {
      // A one-shot sequence with both opens on its start frame: a take cannot begin and end on two stills.
      const endsOnFrame = Boolean(endFramePath) && i === shots.length - 1 && !(i === 0 && startFramePath);
      const background = i === 0 && startFramePath ? startFramePath : endsOnFrame ? endFramePath : undefined;
      const layers = await renderShotLayers({
        ...resolution,
        prompt: shot.prompt,
        shotIndex: i,
        shotCount: shots.length,
        sequenceId,
        seed,
        ...(background ? { background } : {}),
      });
      const backgroundFile = join(workDir, `shot${i}-background.png`);
      const overlay = join(workDir, `shot${i}-overlay.png`);
      await Promise.all([writeFile(backgroundFile, layers.background), writeFile(overlay, layers.overlay)]);
      return { background: backgroundFile, overlay, frames: Math.max(1, Math.round(shot.duration * fps)), pullBack: endsOnFrame };
    }),
  );
}

function ffmpegArgs(inputs: ShotInput[], fps: number, outPath: string): string[] {
  const inputArgs = inputs.flatMap((shot) => ['-framerate', String(fps), '-i', shot.background, '-i', shot.overlay]);
  const shotLabels = inputs.map((_, i) => `[shot${i}]`).join('');
  const graph = [
    ...inputs.map((shot, i) => shotFilter(i, shot.frames, shot.pullBack)),
    // Restamping after the concat makes the cut constant-frame-rate whatever each segment reported.
    `${shotLabels}concat=n=${inputs.length}:v=1:a=0,settb=1/${fps},setpts=N,setsar=1[out]`,
  ].join(';');
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    ...inputArgs,
    '-filter_complex', graph,
    '-map', '[out]', '-an',
    '-frames:v', String(totalFrames(inputs)),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-threads', ENCODER_THREADS,
    // A keyframe every two seconds keeps scrubbing snappy in review tools.
    '-g', String(Math.round(fps * 2)),
    '-pix_fmt', 'yuv420p',
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
    '-movflags', '+faststart',
    '-fflags', '+bitexact', '-flags:v', '+bitexact', '-map_metadata', '-1',
    '-f', 'mp4', outPath,
  ];
}

/**
 * One still held for `frames` frames with a slow centred push-in (or, ending on a given frame, a
 * pull-back that lands on the whole still), the caption overlaid after the move so the text stays
 * put. perspective (sub-pixel) rather than zoompan, whose integer crop window makes slow moves
 * visibly judder.
 */
function shotFilter(i: number, frames: number, pullBack = false): string {
  const background = 2 * i;
  const overlay = background + 1;
  const k = (frames > 1 ? PUSH_IN / 2 / (frames - 1) : 0).toFixed(12);
  const step = pullBack ? `(${frames - 1}-in)` : 'in';
  const near = (size: string) => `${k}*${step}*${size}`;
  const far = (size: string) => `${size}-${k}*${step}*${size}`;
  const corners = `x0=${near('W')}:y0=${near('H')}:x1=${far('W')}:y1=${near('H')}:x2=${near('W')}:y2=${far('H')}:x3=${far('W')}:y3=${far('H')}`;
  return [
    `[${background}:v]${toBt709('yuv420p')},loop=loop=${frames - 1}:size=1:start=0,setpts=N,perspective=${corners}:eval=frame[move${i}]`,
    `[${overlay}:v]${toBt709('yuva420p')}[caption${i}]`,
    `[move${i}][caption${i}]overlay=format=yuv420[shot${i}]`,
  ].join(';');
}

/** ffmpeg's implicit RGB→YUV uses BT.601; players read HD as BT.709, so convert (and tag) explicitly. */
function toBt709(pixelFormat: string): string {
  return `scale=out_color_matrix=bt709:out_range=tv,format=${pixelFormat}`;
}

function totalFrames(inputs: ShotInput[]): number {
  return inputs.reduce((sum, shot) => sum + shot.frames, 0);
}
