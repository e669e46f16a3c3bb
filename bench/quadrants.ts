/**
 * What does decoding each row of a grid once buy when cutting it into four start-frame candidates?
 * Times extractGridQuadrants against the naive way (each quadrant decodes the grid file again),
 * with sharp's default PNG settings and with ours, on the same grid, runs interleaved so every
 * variant sees the same machine load.
 *
 *   npx tsx bench/quadrants.ts [--size 2048x2048] [--ratio 1:1] [--runs 25] [--warmup 3]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp, { type PngOptions } from 'sharp';
import { QUADRANT_PNG, extractGridQuadrants } from '../src/activities/grids/extract-quadrant.js';
import { renderGrid } from '../src/activities/providers/local/cards.js';
import { ASPECT_RATIOS, videoResolution, type AspectRatio, type Resolution } from '../src/domain/aspect-ratio.js';
import { QUADRANTS, quadrantBounds } from '../src/domain/quadrants.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '2048x2048' },
    ratio: { type: 'string', default: '1:1' },
    runs: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '3' },
  },
});
const [gridWidth, gridHeight] = values.size.split('x').map(Number) as [number, number];
if (!ASPECT_RATIOS.includes(values.ratio as AspectRatio)) throw new Error(`--ratio must be one of ${ASPECT_RATIOS.join(', ')}`);
const target = videoResolution(values.ratio as AspectRatio);
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);

// Each grid is cut once in production: libvips' operation cache must not serve the naive way a decoded grid.
sharp.cache(false);

function naiveExtract(gridPath: string, outDir: string, size: Resolution, png: PngOptions = {}): Promise<unknown> {
  return Promise.all(
    QUADRANTS.map((q) =>
      sharp(gridPath)
        .extract(quadrantBounds(gridWidth, gridHeight, q))
        .resize(size.width, size.height, { fit: 'cover' })
        .png(png)
        .toFile(join(outDir, `q${q}.png`)),
    ),
  );
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const dir = await mkdtemp(join(tmpdir(), 'recoil-bench-quadrants-'));
try {
  const oursDir = join(dir, 'ours');
  const naiveDir = join(dir, 'naive');
  await Promise.all([mkdir(oursDir), mkdir(naiveDir)]);
  const gridPath = join(oursDir, 'grid.png');
  const grid = await renderGrid({ width: gridWidth, height: gridHeight, prompt: 'Rain-soaked highway at night, yellow courier van', seed: 'bench' });
  await writeFile(gridPath, grid);
  // Grids come opaque (Gemini's and ours), but one with an alpha channel must still be handled.
  const alphaDir = join(dir, 'alpha');
  await mkdir(alphaDir);
  const alphaGridPath = join(alphaDir, 'grid.png');
  await sharp(grid).ensureAlpha().png().toFile(alphaGridPath);

  const variants = {
    ours: () => extractGridQuadrants(gridPath, target),
    oursAlpha: () => extractGridQuadrants(alphaGridPath, target),
    naive: () => naiveExtract(gridPath, naiveDir, target),
    naiveOurPng: () => naiveExtract(gridPath, naiveDir, target, QUADRANT_PNG),
    decodeOnly: () => sharp(gridPath, { sequentialRead: true }).raw().toBuffer(),
  };
  const samples: Record<keyof typeof variants, number[]> = { ours: [], oursAlpha: [], naive: [], naiveOurPng: [], decodeOnly: [] };
  for (let run = 0; run < WARMUP + RUNS; run++) {
    for (const [name, fn] of Object.entries(variants) as [keyof typeof variants, () => Promise<unknown>][]) {
      const ms = await timed(fn);
      if (run >= WARMUP) samples[name].push(ms);
    }
  }

  const ours = median(samples.ours);
  const naive = median(samples.naive);
  const naiveOurPng = median(samples.naiveOurPng);
  const fmt = (ms: number) => `${ms.toFixed(1).padStart(7)} ms`;
  console.log(`grid ${gridWidth}×${gridHeight} → 4 × ${target.width}×${target.height} (${values.ratio}), ${RUNS} runs after ${WARMUP} warm-up, sharp concurrency ${sharp.concurrency()}`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
  console.log(`  extractGridQuadrants (once per row) median ${fmt(ours)}   min ${fmt(Math.min(...samples.ours))}`);
  console.log(`  same, on a grid with alpha           median ${fmt(median(samples.oursAlpha))}   min ${fmt(Math.min(...samples.oursAlpha))}`);
  console.log(`  naive (decode per quadrant)         median ${fmt(naive)}   min ${fmt(Math.min(...samples.naive))}   ${(naive / ours).toFixed(2)}× ours`);
  console.log(`  naive, with our PNG level           median ${fmt(naiveOurPng)}   min ${fmt(Math.min(...samples.naiveOurPng))}   ${(naiveOurPng / ours).toFixed(2)}× ours`);
  console.log(`  one decode of the grid alone        median ${fmt(median(samples.decodeOnly))}`);
  console.log(`  target ≤ 50 ms                      ${ours <= 50 ? 'met' : 'missed'}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
