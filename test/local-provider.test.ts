import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../src/activities/media/binaries.js';
import { probeVideo } from '../src/activities/media/probe.js';
import { runProcess } from '../src/activities/media/run-process.js';
import { renderAnimatic, type AnimaticOptions } from '../src/activities/providers/local/animatic.js';
import { renderGrid, renderShotCard } from '../src/activities/providers/local/cards.js';
import { createLocalProvider } from '../src/activities/providers/local/local-provider.js';
import { awaitVideo } from '../src/activities/providers/provider.js';
import { ASPECT_RATIOS, videoResolution } from '../src/domain/aspect-ratio.js';
import { makeUnit } from './helpers/units.js';

const SHOTS = [
  { prompt: 'Extreme wide shot: the van crawls along the empty highway in the rain', duration: 3 },
  { prompt: 'Tracking shot beside the van; @maya grips the wheel, wipers beating', duration: 3 },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recoil-local-provider-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function animatic(name: string, overrides: Partial<AnimaticOptions> = {}): AnimaticOptions {
  return {
    outPath: join(dir, name, 'video.mp4'),
    resolution: videoResolution('16:9'),
    shots: SHOTS,
    sequenceId: 'SEQ01',
    seed: 'driver-beware/EP001/SEQ01',
    ...overrides,
  };
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** Mean R, G, B of a region given as fractions of the image. */
async function meanColour(image: string | Buffer, region = { left: 0, top: 0, width: 1, height: 1 }) {
  const { width = 0, height = 0 } = await sharp(image).metadata();
  const crop = await sharp(image)
    .extract({
      left: Math.round(region.left * width),
      top: Math.round(region.top * height),
      width: Math.round(region.width * width),
      height: Math.round(region.height * height),
    })
    .png()
    .toBuffer();
  // stats() reads the input, not the pipeline, so the crop must be materialised first.
  const { channels } = await sharp(crop).stats();
  return channels.slice(0, 3);
}

describe('animatic', () => {
  it.each(ASPECT_RATIOS)('renders %s at the exact resolution and summed duration', async (ratio) => {
    const resolution = videoResolution(ratio);
    const options = animatic(`ratio-${ratio.replace(':', 'x')}`, { resolution });
    const { durationSec } = await renderAnimatic(options);
    const probe = await probeVideo(options.outPath);
    expect(durationSec).toBe(6);
    expect(probe.durationSec).toBeCloseTo(6, 1);
    expect(probe).toMatchObject({ ...resolution, hasVideo: true, codec: 'h264', frameCount: 6 * 24 });
  });

  it('is byte-identical for identical input and differs for a different prompt', async () => {
    const first = animatic('same-1');
    const second = animatic('same-2');
    const changed = animatic('changed', { shots: [SHOTS[0]!, { prompt: 'Close-up: the dashboard clock reads 03:17', duration: 3 }] });
    await Promise.all([renderAnimatic(first), renderAnimatic(second), renderAnimatic(changed)]);
    expect(await sha256(first.outPath)).toBe(await sha256(second.outPath));
    expect(await sha256(changed.outPath)).not.toBe(await sha256(first.outPath));
  });

  it('opens on the start frame', async () => {
    const startFrame = join(dir, 'start.png');
    // A different size and ratio from the video, to exercise the cover fit.
    await sharp({ create: { width: 1000, height: 900, channels: 3, background: { r: 200, g: 60, b: 40 } } }).png().toFile(startFrame);
    const options = animatic('start-frame', { startFramePath: startFrame });
    await renderAnimatic(options);
    const frame0 = join(dir, 'start-frame', 'frame0.png');
    await runProcess(ffmpegPath(), ['-v', 'error', '-i', options.outPath, '-frames:v', '1', frame0]);
    // The picture between the shot label and the caption bar is the start frame's.
    const picture = { left: 0.1, top: 0.2, width: 0.8, height: 0.5 };
    const expected = await meanColour(startFrame);
    const actual = await meanColour(frame0, picture);
    actual.forEach((channel, i) => {
      expect(Math.abs(channel.mean - expected[i]!.mean)).toBeLessThan(6);
      expect(channel.stdev).toBeLessThan(4);
    });
  });

  it('stops when aborted and leaves nothing at the output path', async () => {
    const options = animatic('aborted', { shots: [{ prompt: 'A long shot', duration: 15 }] });
    const controller = new AbortController();
    let abortedAt = 0;
    // Late enough that ffmpeg is encoding, well before a 15 s render could finish.
    setTimeout(() => {
      abortedAt = Date.now();
      controller.abort();
    }, 800);
    await expect(renderAnimatic({ ...options, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    // Far sooner than the 15 s render would take, with room for a loaded machine.
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    expect(existsSync(options.outPath)).toBe(false);
    expect(await readdir(join(dir, 'aborted'))).toEqual([]);
  });
});

describe('the local provider', () => {
  it('renders at most as many takes at once as the machine has cores, across every provider in the process', { timeout: 120_000 }, async () => {
    const cores = availableParallelism();
    const providers = [createLocalProvider(), createLocalProvider()];
    const jobs = Array.from({ length: cores + 2 }, (_, i) => {
      const unit = makeUnit({ sequenceId: `SEQ${String(i + 1).padStart(2, '0')}`, durations: [3, 3] });
      return { unit, shots: unit.shots, take: 1, takeDir: join(dir, 'slots', unit.sequenceId) };
    });
    let most = 0;
    const sampling = setInterval(() => {
      most = Math.max(most, childProcessesNamed('ffmpeg'));
    }, 20);
    try {
      await Promise.all(
        jobs.map((job, i) =>
          awaitVideo(providers[i % 2]!, job, `local-${i}`, join(job.takeDir, 'video.mp4'), { heartbeat: () => undefined, signal: new AbortController().signal }),
        ),
      );
    } finally {
      clearInterval(sampling);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(cores);
    for (const job of jobs) expect((await probeVideo(join(job.takeDir, 'video.mp4'))).hasVideo).toBe(true);
  });
});

/** How many direct children of this process run the named program right now (from /proc). */
function childProcessesNamed(name: string): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state, then the parent's pid.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0]!.endsWith(name)) count++;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return count;
}

describe('cards', () => {
  it('renders a shot card at the requested size, the same for the same seed', async () => {
    const card = { width: 720, height: 1280, prompt: SHOTS[0]!.prompt, shotIndex: 1, shotCount: 2, sequenceId: 'SEQ01', seed: 'a' };
    const [one, two, other] = await Promise.all([renderShotCard(card), renderShotCard(card), renderShotCard({ ...card, seed: 'b' })]);
    expect(await sharp(one).metadata()).toMatchObject({ format: 'png', width: 720, height: 1280 });
    expect(one.equals(two)).toBe(true);
    expect(one.equals(other)).toBe(false);
  });

  it('renders a 2x2 grid whose quadrants are visibly different', async () => {
    const width = 1344;
    const height = 768;
    const grid = await renderGrid({ width, height, prompt: 'Rain-soaked highway at night, yellow courier van', seed: 'g001' });
    expect(await sharp(grid).metadata()).toMatchObject({ format: 'png', width, height });
    const [qw, qh] = [Math.floor(width / 2), Math.floor(height / 2)];
    const quadrants = await Promise.all(
      [0, 1, 2, 3].map((q) =>
        sharp(grid).extract({ left: (q % 2) * qw, top: Math.floor(q / 2) * qh, width: qw, height: qh }).removeAlpha().raw().toBuffer(),
      ),
    );
    for (let a = 0; a < 4; a++) {
      for (let b = a + 1; b < 4; b++) {
        expect(meanAbsoluteDifference(quadrants[a]!, quadrants[b]!), `quadrants ${a + 1} and ${b + 1}`).toBeGreaterThan(20);
      }
    }
  });
});

function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs(a[i]! - b[i]!);
  return total / a.length;
}

describe('media tools', () => {
  it('refuses a file that is not media, saying so', async () => {
    const notVideo = join(dir, 'not-a-video.mp4');
    await writeFile(notVideo, '{"this": "is json"}');
    await expect(probeVideo(notVideo)).rejects.toThrow(/Not a decodable media file: .*not-a-video\.mp4/);
  });

  it('kills a running command when its signal aborts', async () => {
    const endless = ['-v', 'error', '-f', 'lavfi', '-i', 'nullsrc', '-f', 'null', '-'];
    const started = Date.now();
    await expect(runProcess(ffmpegPath(), endless, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' });
    // The command never ends by itself: any prompt return is the abort's doing.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reports a failed command with the end of its stderr', async () => {
    await expect(runProcess(ffmpegPath(), ['-i', join(dir, 'missing.mp4')])).rejects.toThrow(
      /ffmpeg exited with code 1:[\s\S]*No such file or directory/,
    );
  });
});
