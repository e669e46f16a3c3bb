import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticiseGrid } from '../src/activities/critics/grid-critics.js';
import { frozenCritic } from '../src/activities/critics/frozen.js';
import { criticiseVideo, type VideoExpectation } from '../src/activities/critics/video-critics.js';
import { ffmpegPath } from '../src/activities/media/binaries.js';
import { runProcess } from '../src/activities/media/run-process.js';
import { renderAnimatic } from '../src/activities/providers/local/animatic.js';
import { renderGrid } from '../src/activities/providers/local/cards.js';
import { gridResolution, videoResolution, type AspectRatio } from '../src/domain/aspect-ratio.js';
import { summarize, type CriticReport, type Stretch } from '../src/domain/critic-report.js';

const SECONDS = 6;
const LANDSCAPE = videoResolution('16:9');
const PORTRAIT = videoResolution('9:16');

function expectation(aspectRatio: AspectRatio, durationSec = SECONDS): VideoExpectation {
  return { durationSec, aspectRatio, resolution: videoResolution(aspectRatio) };
}

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recoil-critics-'));
  await Promise.all([makeVideos(), makeGrids()]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// ── Fixtures ────────────────────────────────────────────────────────────────

async function makeVideos(): Promise<void> {
  await Promise.all([
    encode(file('good.mp4'), ['-f', 'lavfi', '-i', lavfi('testsrc2', LANDSCAPE)], SECONDS),
    encode(file('black.mp4'), ['-f', 'lavfi', '-i', lavfi('color', LANDSCAPE, 'c=black:')], SECONDS),
    encode(file('portrait.mp4'), ['-f', 'lavfi', '-i', lavfi('testsrc2', PORTRAIT)], SECONDS),
    makeFrozen(),
    makeStretches(),
    writeFile(file('text.mp4'), 'This is a text file with a video extension.\n'),
    renderAnimatic({
      outPath: file('animatic.mp4'),
      resolution: LANDSCAPE,
      shots: [
        { prompt: 'Extreme wide shot: the van crawls along the empty highway in the rain', duration: 3 },
        { prompt: 'Tracking shot beside the van; @maya grips the wheel, wipers beating', duration: 3 },
      ],
      sequenceId: 'SEQ01',
      seed: 'driver-beware/EP001/SEQ01',
    }),
  ]);
  // Stream copies of the good take: cheap, and each differs from it in one way only.
  await Promise.all([
    ffmpeg(['-i', file('good.mp4'), '-t', '3', '-c', 'copy', file('short.mp4')]),
    // moov moved before the data, so ffprobe still reads the header once the data is cut.
    ffmpeg(['-i', file('good.mp4'), '-c', 'copy', '-movflags', '+faststart', file('faststart.mp4')]),
  ]);
  const [good, faststart] = await Promise.all([readFile(file('good.mp4')), readFile(file('faststart.mp4'))]);
  await Promise.all([
    writeFile(file('cut-index.mp4'), good.subarray(0, Math.floor(good.length / 3))),
    writeFile(file('cut-header.mp4'), faststart.subarray(0, Math.floor(faststart.length / 3))),
  ]);
}

async function makeFrozen(): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', lavfi('testsrc2', LANDSCAPE), '-frames:v', '1', file('still.png')]);
  await encode(file('frozen.mp4'), ['-loop', '1', '-framerate', '24', '-i', file('still.png')], SECONDS);
}

/** Known stretches the detectors must place: black 2.0–3.5 s (black is still too) and a still 4.0–5.5 s. */
const BLACK_STRETCH = { startSec: 2, endSec: 3.5 };
const STILL_STRETCH = { startSec: 4, endSec: 5.5 };
/** Two frames: a run still open at the end of the file is closed at its last frame's start, not its end. */
const SLACK = 2 / 24;

async function makeStretches(): Promise<void> {
  const moving = (from: number, to: number, label: string) => `[${label}]trim=${from}:${to},setpts=PTS-STARTPTS[${label}t]`;
  const graph = [
    '[0:v]split=4[a][c][d][e]',
    moving(0, BLACK_STRETCH.startSec, 'a'),
    `[1:v]trim=0:${BLACK_STRETCH.endSec - BLACK_STRETCH.startSec},setpts=PTS-STARTPTS[bt]`,
    moving(BLACK_STRETCH.endSec, STILL_STRETCH.startSec, 'c'),
    // One frame of the moving picture, held: a freeze that starts exactly where the motion stops.
    `[d]trim=start_frame=${STILL_STRETCH.startSec * 24}:end_frame=${STILL_STRETCH.startSec * 24 + 1},loop=loop=${(STILL_STRETCH.endSec - STILL_STRETCH.startSec) * 24 - 1}:size=1:start=0,setpts=N/24/TB[dt]`,
    moving(STILL_STRETCH.endSec, SECONDS, 'e'),
    '[at][bt][ct][dt][et]concat=n=5:v=1:a=0',
  ].join(';');
  // crf 18, not 30: at 30 x264 lets a new still settle over a few frames, which moves the freeze's start.
  await ffmpeg([
    '-f', 'lavfi', '-i', lavfi('testsrc2', LANDSCAPE), '-f', 'lavfi', '-i', lavfi('color', LANDSCAPE, 'c=black:'),
    '-filter_complex', graph, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', file('stretches.mp4'),
  ]);
}

function lavfi(source: string, { width, height }: { width: number; height: number }, options = ''): string {
  return `${source}=${options}size=${width}x${height}:rate=24`;
}

function encode(outPath: string, input: string[], seconds: number): Promise<unknown> {
  return ffmpeg([...input, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-pix_fmt', 'yuv420p', outPath]);
}

function ffmpeg(args: string[]): Promise<unknown> {
  return runProcess(ffmpegPath(), ['-nostdin', '-v', 'error', '-y', ...args]);
}

const COLOURS = ['#d62828', '#2a9d8f', '#264653', '#e9c46a'];

async function makeGrids(): Promise<void> {
  const landscape = gridResolution('16:9');
  await Promise.all([
    writeFile(file('rendered-grid.png'), await renderGrid({ ...landscape, prompt: 'Rain-soaked highway at night', seed: 'g001' })),
    tiledGrid(landscape, COLOURS.map(tile)).then((g) => g.png().toFile(file('four-different.png'))),
    tiledGrid(gridResolution('9:16'), COLOURS.map(tile)).then((g) => g.png().toFile(file('portrait-grid.png'))),
    // JPEG, so the four copies come back slightly different, as they would from a generator.
    tiledGrid(landscape, COLOURS.map(() => tile(COLOURS[0]!))).then((g) => g.jpeg({ quality: 70 }).toFile(file('four-same.jpg'))),
    tiledGrid(landscape, [tile(COLOURS[0]!), tile(COLOURS[1]!), tile(COLOURS[1]!), tile(COLOURS[3]!)]).then((g) => g.png().toFile(file('two-same.png'))),
    writeFile(file('text.png'), 'not a picture\n'),
  ]);
}

/** A picture with structure (gradient, shapes), not a flat colour, drawn at any size. */
function tile(colour: string) {
  return (width: number, height: number) =>
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
        `<defs><linearGradient id="g" x2="0" y2="1"><stop offset="0" stop-color="#111"/><stop offset="1" stop-color="${colour}"/></linearGradient></defs>` +
        `<rect width="${width}" height="${height}" fill="url(#g)"/>` +
        `<circle cx="${width * 0.3}" cy="${height * 0.4}" r="${height * 0.2}" fill="#fff"/>` +
        `<rect x="${width * 0.55}" y="${height * 0.55}" width="${width * 0.3}" height="${height * 0.3}" fill="${colour}" stroke="#000" stroke-width="6"/>` +
        `</svg>`,
    );
}

async function tiledGrid({ width, height }: { width: number; height: number }, tiles: ((w: number, h: number) => Buffer)[]) {
  const w = Math.floor(width / 2);
  const h = Math.floor(height / 2);
  const composites = tiles.map((draw, i) => ({ input: draw(i % 2 ? width - w : w, i < 2 ? h : height - h), left: (i % 2) * w, top: i < 2 ? 0 : h }));
  const grid = await sharp({ create: { width, height, channels: 3, background: '#000' } }).composite(composites).png().toBuffer();
  return sharp(grid);
}

// ── Assertions ──────────────────────────────────────────────────────────────

function finding(report: CriticReport, critic: string) {
  const found = report.findings.find((f) => f.critic === critic);
  if (!found) throw new Error(`no ${critic} finding in ${JSON.stringify(report)}`);
  return found;
}

function expectStretches(actual: Stretch[] | undefined, expected: Stretch[]): void {
  expect(actual, 'stretches').toHaveLength(expected.length);
  actual!.forEach((stretch, i) => {
    expect(Math.abs(stretch.startSec - expected[i]!.startSec), `start of stretch ${i}`).toBeLessThanOrEqual(SLACK);
    expect(Math.abs(stretch.endSec - expected[i]!.endSec), `end of stretch ${i}`).toBeLessThanOrEqual(SLACK);
  });
}

function failedCritics(report: CriticReport): string[] {
  return report.findings.filter((f) => !f.ok).map((f) => f.critic);
}

// ── Video critics ───────────────────────────────────────────────────────────

describe('video critics', () => {
  it('pass a clean take on every critic', async () => {
    const report = await criticiseVideo(file('good.mp4'), expectation('16:9'));
    expect(failedCritics(report), summarize(report.findings)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.critic)).toEqual(['decodes', 'duration', 'resolution', 'black', 'frozen']);
    expect(Date.parse(report.checkedAt)).not.toBeNaN();
    expect(finding(report, 'duration').measured?.durationSec).toBeCloseTo(SECONDS, 1);
    expect(finding(report, 'black').measured).toMatchObject({ seconds: 0, stretches: 0 });
    expect(finding(report, 'frozen').measured).toMatchObject({ seconds: 0, stretches: 0 });
    expect(finding(report, 'black').stretches).toBeUndefined();
    expect(finding(report, 'frozen').stretches).toBeUndefined();
  });

  it('pass a real local animatic (slow push-ins on still cards) on every critic', async () => {
    const report = await criticiseVideo(file('animatic.mp4'), expectation('16:9'));
    expect(failedCritics(report), summarize(report.findings)).toEqual([]);
  });

  it('pass a 9:16 take when the project is 9:16', async () => {
    const report = await criticiseVideo(file('portrait.mp4'), expectation('9:16'));
    expect(failedCritics(report), summarize(report.findings)).toEqual([]);
  });

  it('catch a take of the wrong ratio, naming both sizes', async () => {
    const report = await criticiseVideo(file('portrait.mp4'), expectation('16:9'));
    expect(failedCritics(report)).toEqual(['resolution']);
    expect(finding(report, 'resolution').message).toBe('720×1280 (9:16) but the project is 16:9 (1280×720)');
  });

  it('catch a take of the wrong length', async () => {
    const report = await criticiseVideo(file('short.mp4'), expectation('16:9'));
    expect(failedCritics(report)).toEqual(['duration']);
    expect(finding(report, 'duration').message).toMatch(/^3\.\d\d s long but the plan asks for 6 s ± 0\.5 s$/);
  });

  it('catch a take that is black', async () => {
    const report = await criticiseVideo(file('black.mp4'), expectation('16:9'));
    expect(report.ok).toBe(false);
    const black = finding(report, 'black');
    expect(black.ok).toBe(false);
    expect(black.message).toMatch(/^mostly black: (99|100)% of its 6\.00 s is black$/);
    expectStretches(black.stretches, [{ startSec: 0, endSec: SECONDS }]);
    expect(finding(report, 'decodes').ok).toBe(true);
  });

  it('say where in the take it is black and where it is frozen, within a frame or two', async () => {
    const report = await criticiseVideo(file('stretches.mp4'), expectation('16:9'));
    expect(finding(report, 'duration').measured?.durationSec).toBeCloseTo(SECONDS, 1);
    expectStretches(finding(report, 'black').stretches, [BLACK_STRETCH]);
    expectStretches(finding(report, 'frozen').stretches, [BLACK_STRETCH, STILL_STRETCH]);
    expect(finding(report, 'black')).toMatchObject({ ok: true, measured: { seconds: 1.5, stretches: 1 } });
  });

  it('catch a take that is one still picture', async () => {
    const report = await criticiseVideo(file('frozen.mp4'), expectation('16:9'));
    expect(failedCritics(report)).toEqual(['frozen']);
    expect(finding(report, 'frozen').message).toBe('mostly frozen: 100% of its 6.00 s is frozen');
    expectStretches(finding(report, 'frozen').stretches, [{ startSec: 0, endSec: SECONDS }]);
  });

  it.each([
    ['a text file named .mp4', 'text.mp4', /^not a video: ffprobe cannot read it \(.*Invalid data found/],
    ['an MP4 cut before its index', 'cut-index.mp4', /^not a video: ffprobe cannot read it \(.*moov atom not found/],
    ['an MP4 cut mid-picture', 'cut-header.mp4', /^does not decode cleanly: ffmpeg reports \d+ error\(s\)/],
  ])('catch %s and skip the critics that need pictures', async (_, name, message) => {
    const report = await criticiseVideo(file(name), expectation('16:9'));
    expect(report.ok).toBe(false);
    expect(finding(report, 'decodes')).toMatchObject({ ok: false, message: expect.stringMatching(message) });
    expect(report.findings.slice(1)).toEqual(
      ['duration', 'resolution', 'black', 'frozen'].map((critic) => ({ critic, ok: false, message: 'skipped: the file does not decode' })),
    );
  });

  it('throw for a file that is not there (a caller bug, not a bad take)', async () => {
    await expect(criticiseVideo(file('missing.mp4'), expectation('16:9'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stop when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(criticiseVideo(file('good.mp4'), expectation('16:9'), { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('frozen critic reading freezedetect', () => {
  const line = (key: string, value: number) => `[freezedetect @ 0x1] [info] lavfi.freezedetect.freeze_${key}: ${value}`;

  it('counts a freeze still running at the end of the file up to the end', () => {
    const log = [line('start', 1), line('duration', 1), line('end', 2), line('start', 3)].join('\n');
    expect(frozenCritic(log, 6)).toMatchObject({
      measured: { seconds: 4, stretches: 2 },
      stretches: [{ startSec: 1, endSec: 2 }, { startSec: 3, endSec: 6 }],
    });
  });

  it('counts a freeze whose start line the 2018 build leaves out', () => {
    const log = [line('duration', 2), line('end', 2), line('duration', 2), line('end', 4)].join('\n');
    expect(frozenCritic(log, 6)).toMatchObject({
      ok: false,
      measured: { seconds: 4, stretches: 2 },
      stretches: [{ startSec: 0, endSec: 2 }, { startSec: 2, endSec: 4 }],
    });
  });
});

// ── Grid critics ────────────────────────────────────────────────────────────

describe('grid critics', () => {
  it.each([
    ['the local renderer’s grid', 'rendered-grid.png'],
    ['a grid of four different pictures', 'four-different.png'],
  ])('pass %s', async (_, name) => {
    const report = await criticiseGrid(file(name), '16:9');
    expect(failedCritics(report), summarize(report.findings)).toEqual([]);
    expect(report.findings.map((f) => f.critic)).toEqual(['decodes', 'aspect-ratio', 'quadrants']);
  });

  it('catch a grid of the wrong ratio', async () => {
    const report = await criticiseGrid(file('portrait-grid.png'), '16:9');
    expect(failedCritics(report)).toEqual(['aspect-ratio']);
    expect(finding(report, 'aspect-ratio').message).toBe('768×1344 (9:16) but the project is 16:9');
  });

  it('catch four copies of one picture', async () => {
    const report = await criticiseGrid(file('four-same.jpg'), '16:9');
    expect(failedCritics(report)).toEqual(['quadrants']);
    expect(finding(report, 'quadrants').message).toBe('all four quadrants are the same picture');
  });

  it('catch two quadrants that are the same picture', async () => {
    const report = await criticiseGrid(file('two-same.png'), '16:9');
    expect(failedCritics(report)).toEqual(['quadrants']);
    expect(finding(report, 'quadrants').message).toBe('quadrants 2 and 3 are the same picture');
  });

  it('catch a file that is not an image and skip the rest', async () => {
    const report = await criticiseGrid(file('text.png'), '16:9');
    expect(report.findings).toEqual([
      { critic: 'decodes', ok: false, message: expect.stringMatching(/^not an image we can read: /) },
      { critic: 'aspect-ratio', ok: false, message: 'skipped: the image does not decode' },
      { critic: 'quadrants', ok: false, message: 'skipped: the image does not decode' },
    ]);
  });
});

describe('summarize', () => {
  it('says how many critics passed, or which failed and why', () => {
    const pass = { critic: 'duration', ok: true, message: '6.00 s long' };
    const fail = { critic: 'black', ok: false, message: 'mostly black: 99% of its 6.00 s is black' };
    expect(summarize([pass, pass])).toBe('2/2 critics passed');
    expect(summarize([pass, fail])).toBe('1/2 critics failed — black: mostly black: 99% of its 6.00 s is black');
  });
});
