import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { extractGridQuadrants, selectStartFrame } from '../src/activities/grids/extract-quadrant.js';
import {
  GRID_MANIFEST_FILE,
  gridDir,
  nextGridNumber,
  readGridManifest,
  writeGridManifest,
  type GridManifest,
} from '../src/store/grids/grid-folders.js';
import { videoResolution, type Resolution } from '../src/domain/aspect-ratio.js';
import { QUADRANTS, quadrantBounds } from '../src/domain/quadrants.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const COLOURS = [
  { r: 230, g: 30, b: 30 },
  { r: 30, g: 200, b: 60 },
  { r: 30, g: 70, b: 230 },
  { r: 250, g: 210, b: 20 },
] as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recoil-quadrants-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A grid whose four quadrants are solid COLOURS, so any bleed or misnumbering shows in every pixel. */
async function solidGrid(name: string, width: number, height: number, { alpha = false } = {}): Promise<string> {
  const path = join(dir, name, 'grid.png');
  await mkdir(dirname(path), { recursive: true });
  const panels = QUADRANTS.map((q, i) => {
    const b = quadrantBounds(width, height, q);
    return { input: { create: { width: b.width, height: b.height, channels: 3 as const, background: COLOURS[i]! } }, left: b.left, top: b.top };
  });
  const image = sharp({ create: { width, height, channels: 3, background: '#fff' } }).composite(panels);
  await (alpha ? image.ensureAlpha() : image.removeAlpha()).png().toFile(path);
  return path;
}

/** The single colour of an image, or undefined when it is not uniform. */
async function uniformColour(path: string): Promise<{ r: number; g: number; b: number } | undefined> {
  const { channels } = await sharp(path).stats();
  const [r, g, b] = channels;
  if (![r, g, b].every((c) => c && c.min === c.max)) return undefined;
  return { r: r!.min, g: g!.min, b: b!.min };
}

describe('quadrantBounds', () => {
  it('numbers the quadrants left-to-right, top-to-bottom, wider halves right and bottom', () => {
    expect(QUADRANTS.map((q) => quadrantBounds(7, 5, q))).toEqual([
      { left: 0, top: 0, width: 3, height: 2 },
      { left: 3, top: 0, width: 4, height: 2 },
      { left: 0, top: 2, width: 3, height: 3 },
      { left: 3, top: 2, width: 4, height: 3 },
    ]);
    expect(quadrantBounds(2048, 2048, 4)).toEqual({ left: 1024, top: 1024, width: 1024, height: 1024 });
    expect(quadrantBounds(1345, 769, 1)).toEqual({ left: 0, top: 0, width: 672, height: 384 });
    expect(quadrantBounds(1345, 769, 4)).toEqual({ left: 672, top: 384, width: 673, height: 385 });
  });

  it.each([
    [2048, 2048],
    [1344, 768],
    [1345, 769],
    [768, 1344],
    [7, 5],
    [2, 2],
    [1, 1],
    [1, 4],
  ])('the four tile %i×%i exactly: every pixel in exactly one quadrant', (width, height) => {
    const cover = new Uint8Array(width * height);
    let area = 0;
    for (const q of QUADRANTS) {
      const b = quadrantBounds(width, height, q);
      expect(Math.min(b.left, b.top, b.width, b.height)).toBeGreaterThanOrEqual(0);
      expect(b.left + b.width).toBeLessThanOrEqual(width);
      expect(b.top + b.height).toBeLessThanOrEqual(height);
      area += b.width * b.height;
      for (let y = b.top; y < b.top + b.height; y++) {
        for (let x = b.left; x < b.left + b.width; x++) cover[y * width + x]!++;
      }
    }
    expect(area).toBe(width * height);
    expect(cover.every((n) => n === 1)).toBe(true);
  });
});

describe('extractGridQuadrants', () => {
  it.each<[string, number, number, Resolution, boolean]>([
    ['a grid of the target ratio', 2560, 1440, videoResolution('16:9'), false],
    ['an odd-sized grid, off only by rounding', 2561, 1441, videoResolution('16:9'), false],
    ['a square grid for a square video', 2048, 2048, videoResolution('1:1'), false],
    ["Gemini's 16:9 size (1344×768 is 7:4)", 1344, 768, videoResolution('16:9'), true],
    ["Gemini's 9:16 size", 768, 1344, videoResolution('9:16'), true],
    ['a square grid for a portrait video', 1024, 1024, videoResolution('9:16'), true],
  ])('%s: four files at the video resolution, each its own quadrant', async (name, width, height, target, cropped) => {
    const gridPath = await solidGrid(name.replace(/\W+/g, '-'), width, height);
    const result = await extractGridQuadrants(gridPath, target);
    expect(result.cropped).toBe(cropped);
    expect(result.quadrants.map((p) => basename(p))).toEqual(['q1.png', 'q2.png', 'q3.png', 'q4.png']);
    for (const [i, path] of result.quadrants.entries()) {
      expect(dirname(path)).toBe(dirname(gridPath));
      const meta = await sharp(path).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'png', ...target });
      expect(await uniformColour(path)).toEqual(COLOURS[i]);
    }
    expect((await readdir(dirname(gridPath))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('drops a grid\'s alpha channel: a video frame is opaque', async () => {
    const gridPath = await solidGrid('alpha', 1345, 769, { alpha: true });
    expect((await sharp(gridPath).metadata()).hasAlpha).toBe(true);
    const { quadrants } = await extractGridQuadrants(gridPath, videoResolution('16:9'));
    for (const [i, path] of quadrants.entries()) {
      expect((await sharp(path).metadata()).channels).toBe(3);
      expect(await uniformColour(path)).toEqual(COLOURS[i]);
    }
  });

  it('refuses an image too small to hold four quadrants', async () => {
    const path = join(dir, 'tiny.png');
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toFile(path);
    await expect(extractGridQuadrants(path, videoResolution('1:1'))).rejects.toThrow(/too small/);
  });
});

describe('selectStartFrame', () => {
  it('copies the chosen quadrant to clean/start_frame.png and keeps every earlier choice', async () => {
    const gridPath = await solidGrid('select', 2560, 1440);
    const { quadrants } = await extractGridQuadrants(gridPath, videoResolution('16:9'));
    const cleanDir = join(dir, 'select', 'clean');
    const [q1, q2] = [quadrants[0]!, quadrants[1]!];

    const startFrame = await selectStartFrame(new LocalFolderStore(dir), q1, cleanDir);
    expect(startFrame).toBe(join(cleanDir, 'start_frame.png'));
    expect(await readFile(startFrame)).toEqual(await readFile(q1));

    await selectStartFrame(new LocalFolderStore(dir), q2, cleanDir);
    expect(await readFile(startFrame)).toEqual(await readFile(q2));
    const kept = (await readdir(cleanDir)).filter((f) => /^start_frame\..+\.png$/.test(f));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^start_frame\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.png$/);
    expect(await readFile(join(cleanDir, kept[0]!))).toEqual(await readFile(q1));

    // Choosing the frame already in place, as a retried activity would, archives nothing.
    await selectStartFrame(new LocalFolderStore(dir), q2, cleanDir);
    expect((await readdir(cleanDir)).sort()).toEqual([kept[0], 'start_frame.png'].sort());
  });

  it('keeps every earlier frame even when replacements share a timestamp', async () => {
    const gridPath = await solidGrid('select-fast', 2560, 1440);
    const { quadrants } = await extractGridQuadrants(gridPath, videoResolution('16:9'));
    const cleanDir = join(dir, 'select-fast', 'clean');
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-01T00:00:00.000Z') });
    try {
      for (const q of quadrants) await selectStartFrame(new LocalFolderStore(dir), q, cleanDir);
    } finally {
      vi.useRealTimers();
    }
    expect((await readdir(cleanDir)).sort()).toEqual([
      'start_frame.2026-01-01T00-00-00-000Z-1.png',
      'start_frame.2026-01-01T00-00-00-000Z-2.png',
      'start_frame.2026-01-01T00-00-00-000Z.png',
      'start_frame.png',
    ]);
    const files = await Promise.all((await readdir(cleanDir)).map((f) => readFile(join(cleanDir, f))));
    for (const q of quadrants) {
      const bytes = await readFile(q);
      expect(files.filter((f) => f.equals(bytes))).toHaveLength(1);
    }
  });
});

describe('grid folders and grid.json', () => {
  const ref = { projectId: 'driver-beware', episode: 'EP001', sequenceId: 'SEQ01' };

  it('places grids under the sequence and numbers them after the highest existing one', async () => {
    const root = join(dir, 'artifacts');
    expect(gridDir(root, ref, 1)).toBe(join(root, 'driver-beware/EP001/SEQ01/grids/g001'));
    const sequenceDir = join(root, 'driver-beware/EP001/SEQ01');
    expect(await nextGridNumber(new LocalFolderStore(root), sequenceDir)).toBe(1);
    await mkdir(gridDir(root, ref, 1), { recursive: true });
    await mkdir(gridDir(root, ref, 3), { recursive: true });
    await mkdir(join(sequenceDir, 'grids', '.g004-staging'), { recursive: true });
    expect(await nextGridNumber(new LocalFolderStore(root), sequenceDir)).toBe(4);
  });

  it('writes and reads grid.json', async () => {
    const folder = join(dir, 'manifest');
    await mkdir(folder, { recursive: true });
    expect(await readGridManifest(new LocalFolderStore(dir), folder)).toBeUndefined();
    const manifest: GridManifest = {
      schemaVersion: 1,
      grid: 1,
      prompt: 'Rain-soaked highway at night',
      provider: 'gemini',
      model: 'gemini-2.5-flash-image',
      costUsd: 0.039,
      imageTokens: 1290,
      aspectRatio: '16:9',
      size: { width: 1344, height: 768 },
      quadrantSize: videoResolution('16:9'),
      quadrants: ['q1.png', 'q2.png', 'q3.png', 'q4.png'],
      cropped: true,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    await writeGridManifest(new LocalFolderStore(dir), folder, manifest);
    const chosen = { ...manifest, chosen: { quadrant: 3 as const, by: 'ana', at: '2026-01-01T00:05:00.000Z' } };
    await writeGridManifest(new LocalFolderStore(dir), folder, chosen);
    expect(await readGridManifest(new LocalFolderStore(dir), folder)).toEqual(chosen);
    expect(await readdir(folder)).toEqual([GRID_MANIFEST_FILE]);
  });
});
