/**
 * Hundreds of sequences in one episode: does the provider's pace hold, does the worker's memory stay
 * flat, can the board still be read, do decisions still come back quickly? One episode of N one-shot
 * sequences, C at once, a `recoil worker` process of its own on a real dev server, approved through
 * the approve Update as the board (one visibility listing) shows each take ready.
 *
 *   fal    (default) the project's fal fake, in this process, answering each job after L; the
 *          worker follows, downloads, probes and criticises every take. Ideal: ceil(N/C)·L.
 *   local  the offline provider with a simulated latency L, then a real animatic render.
 *
 *   npx tsx bench/scale.ts [--provider fal|local] [--sequences 200] [--concurrency 10] [--latency-ms 3000] [--baseline c3c2899]
 *
 * With --baseline, the same episode runs first on that commit's worker (a git worktree, release
 * 0.5.0 is c3c2899), then on this checkout's, and the ratios between them are printed.
 *
 * Prints the pace against the ideal and where the time beyond it went (fal), the worker's resident
 * memory as the episode goes (and its peak), the time to read the whole board the way
 * `recoil status` does, a decision's round trip (p50 / p99), and the episode's history length.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { readBoard } from '../src/review/read-board.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { loadPricing } from '../src/config/pricing.js';
import { videoCostUsd } from '../src/domain/price-table.js';
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { startFalFake } from '../test/fakes/fal-fake.js';
import { approveReadyTakes } from './approve-ready.js';
import { benchUnit } from './bench-unit.js';

const { values } = parseArgs({
  options: {
    provider: { type: 'string', default: 'fal' },
    sequences: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '10' },
    'latency-ms': { type: 'string', default: '3000' },
    baseline: { type: 'string' },
  },
});
const PROVIDER = values.provider as 'fal' | 'local';
const N = Number(values.sequences);
const C = Number(values.concurrency);
const L = Number(values['latency-ms']);
if (!['fal', 'local'].includes(PROVIDER) || ![N, C, L].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('usage: npx tsx bench/scale.ts [--provider fal|local] [--sequences N] [--concurrency C] [--latency-ms L] [--baseline <commit>]');
  process.exit(2);
}
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = [3];
const TARGETS = { ratio: 1.8, rssMb: 450, boardMs: 800, decisionP99Ms: 500 };

/** Resident and peak resident memory of a process, in MB, from /proc. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const median = (xs: number[]) => percentile(xs, 50);
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

interface Variant {
  name: string;
  /** The variant's bin/recoil.mjs, started through its own #! line. */
  bin: string;
}

interface Result {
  variant: Variant;
  wallMs: number;
  roundTrips: number[];
  memory: { approved: number; rssMb: number }[];
  peakMb: number;
  boardReads: { approved: number; ms: number }[];
  history: number;
  /** The fal fake's log of this variant's jobs (fal only). */
  log: { at: number; event: string }[];
  startedAt: number;
}

/** Release 0.5.0 as shipped, in a git worktree sharing this checkout's node_modules. */
function checkOutBaseline(dir: string, ref: string): string {
  execFileSync('git', ['-C', REPO, 'worktree', 'add', '--detach', dir, ref], { stdio: 'ignore' });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin', 'recoil.mjs');
}

/** One episode on a worker process of the variant's own, approved as the board shows takes ready. */
async function runVariant(variant: Variant): Promise<Result> {
  // The worker runs as the image runs it: compiled and bundled beforehand, not bundling at its start.
  execFileSync(process.execPath, [join(dirname(variant.bin), 'build.mjs')], { stdio: 'ignore' });
  const taskQueue = `bench-scale-${randomUUID().slice(0, 8)}`;
  // Through bin/recoil.mjs's #! line, as `npx recoil worker` and the image start it.
  const worker = spawn(variant.bin, ['worker'], {
    // A deployment of each variant's own: the first worker's build would otherwise stay current and take the second one's work.
    env: { ...process.env, ...providerEnv, TEMPORAL_ADDRESS: server.address, RECOIL_TASK_QUEUE: taskQueue, RECOIL_DEPLOYMENT: taskQueue, RECOIL_ARTIFACTS_DIR: join(dataDir, taskQueue) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    // The clock starts once the worker polls: a studio's worker is running before anyone starts an episode.
    await new Promise<void>((polling, failed) => {
      worker.stdout!.on('data', function started(chunk: Buffer) {
        if (!chunk.toString().includes('polling')) return;
        worker.stdout!.off('data', started);
        worker.stdout!.resume();
        polling();
      });
      worker.once('exit', (code) => failed(new Error(`${variant.name}: the worker exited (${code}) before polling`)));
    });
    const projectId = `scale-${randomUUID().slice(0, 8)}`;
    const units = Array.from({ length: N }, (_, i) => benchUnit(projectId, i, { shotDurations: SHOTS, estimatedCostUsd: takeCostUsd }));
    const startedAt = Date.now();
    const { handle } = await startOrFindEpisode(
      client,
      { projectId, episode: 'EP001', units, provider: PROVIDER, maxParallel: C, maxTakes: 1, autoRetakes: 0, budgetUsd: N * takeCostUsd * 2 + 1, startedBy: 'bench' },
      taskQueue,
    );
    const roundTrips: number[] = [];
    const memory: Result['memory'] = [];
    const boardReads: Result['boardReads'] = [];
    const approved = new Set<string>();
    let nextSample = 0;
    while (approved.size < N) {
      roundTrips.push(...(await approveReadyTakes(client, projectId, approved)));
      if (approved.size >= nextSample) {
        memory.push({ approved: approved.size, ...memoryOf(worker.pid!) });
        const asked = performance.now();
        await readBoard(client, connection, { projectId });
        boardReads.push({ approved: approved.size, ms: performance.now() - asked });
        nextSample += N / 4;
      }
      await sleep(250);
    }
    const wallMs = Date.now() - startedAt;
    // The delivery counts for memory: it is the same worker's work.
    await handle.result();
    const { peakMb } = memoryOf(worker.pid!);
    const history = Number((await handle.describe()).raw.workflowExecutionInfo?.historyLength ?? 0);
    const mine = new Set([...(fake?.jobs.values() ?? [])].filter((job) => JSON.stringify(job.body).includes(projectId)).map((job) => job.requestId));
    return { variant, wallMs, roundTrips, memory, peakMb, boardReads, history, log: fake?.log.filter((e) => mine.has(e.requestId)) ?? [], startedAt };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
  }
}

function report(r: Result): void {
  const idealMs = Math.ceil(N / C) * L;
  const name = r.variant.name;
  if (fake) {
    const ratio = r.wallMs / idealMs;
    console.log(`${name}: wall time (start → every take approved) ${s(r.wallMs)}, ideal ceil(N/C)·L ${s(idealMs)}: ${ratio.toFixed(2)}× (target ≤ ${TARGETS.ratio}×: ${met(ratio <= TARGETS.ratio)})`);
    console.log(`${name}: ${beyondIdeal(r.log, r.startedAt, r.startedAt + r.wallMs, idealMs)}`);
  } else {
    console.log(`${name}: wall time (start → every take approved) ${s(r.wallMs)}`);
  }
  console.log(
    `${name}: worker resident memory by sequences approved ${r.memory.map((m) => `${m.approved}: ${Math.round(m.rssMb)} MB`).join(', ')}; ` +
      `peak (the delivery included) ${Math.round(r.peakMb)} MB (target ≤ ${TARGETS.rssMb} MB: ${met(r.peakMb <= TARGETS.rssMb)})`,
  );
  const slowestRead = Math.max(...r.boardReads.map((b) => b.ms));
  console.log(`${name}: board read (every sequence, as recoil status reads it) ${r.boardReads.map((b) => `${b.approved}: ${Math.round(b.ms)} ms`).join(', ')} (target ≤ ${TARGETS.boardMs} ms: ${met(slowestRead <= TARGETS.boardMs)})`);
  const p99 = percentile(r.roundTrips, 99);
  console.log(`${name}: decision round trip (approve Update) p50 ${Math.round(median(r.roundTrips))} ms, p99 ${Math.round(p99)} ms (target p99 ≤ ${TARGETS.decisionP99Ms} ms: ${met(p99 <= TARGETS.decisionP99Ms)})`);
  console.log(`${name}: episode workflow history ${r.history} events`);
}

const dataDir = await mkdtemp(join(tmpdir(), 'recoil-bench-scale-'));
const server = await startDevServer({ dataDir, port: await freePort(), headless: true });
const loaded = await loadPricing();
if (!loaded.ok) throw new Error(`the price table does not load: ${JSON.stringify(loaded.issues)}`);
const takeCostUsd = PROVIDER === 'fal' ? videoCostUsd(loaded.pricing.table, 'kling-o3', SHOTS.reduce((a, b) => a + b, 0), false) : 0;
const falKey = `bench-${randomUUID()}`;
const fake = PROVIDER === 'fal' ? await startFalFake({ key: falKey, latencyMs: L }) : undefined;
const providerEnv = fake
  ? { FAL_KEY: falKey, RECOIL_FAL_BASE_URL: fake.baseUrl, RECOIL_FAL_CONCURRENCY: String(C) }
  : { RECOIL_LOCAL_LATENCY_MS: String(L) };
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });
const baselineDir = join(dataDir, 'baseline');

try {
  const variants: Variant[] = [
    ...(values.baseline ? [{ name: `baseline ${values.baseline}`, bin: checkOutBaseline(baselineDir, values.baseline) }] : []),
    { name: 'this checkout', bin: fileURLToPath(new URL('../bin/recoil.mjs', import.meta.url)) },
  ];
  // One after the other, so neither shares the cores with the other.
  const results: Result[] = [];
  for (const variant of variants) results.push(await runVariant(variant));
  console.log(`N=${N} one-shot sequences, C=${C} at once, ${PROVIDER} provider latency L=${L} ms, the variants one after the other; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
  for (const result of results) report(result);
  const [before, after] = results;
  if (before && after) {
    console.log(
      `ratios, ${after.variant.name} against ${before.variant.name}: wall time ${(after.wallMs / before.wallMs).toFixed(2)}×, ` +
        `peak memory ${(after.peakMb / before.peakMb).toFixed(2)}×, decision p99 ${(percentile(after.roundTrips, 99) / percentile(before.roundTrips, 99)).toFixed(2)}×`,
    );
  }
} finally {
  await connection.close();
  await server.stop();
  await fake?.close();
  if (values.baseline) execFileSync('git', ['-C', REPO, 'worktree', 'remove', '--force', baselineDir], { stdio: 'ignore' });
  await rm(dataDir, { recursive: true, force: true });
}

/** Where the time beyond the ideal went, from the fake's own log of when each job arrived and finished. */
function beyondIdeal(log: { at: number; event: string }[], startedAt: number, approvedAt: number, idealMs: number): string {
  const times = (event: string) => log.filter((e) => e.event === event).map((e) => e.at).sort((a, b) => a - b);
  const submitted = times('submitted');
  const completed = times('completed');
  const rounds = Math.ceil(submitted.length / C);
  // The i-th job beyond the first C takes the slot the i-th job to finish gave up.
  const handOvers = submitted.slice(C).map((at, i) => at - completed[i]!);
  return (
    `beyond the ideal ${s(approvedAt - startedAt - idealMs)}: start → first job at fal ${s(submitted[0]! - startedAt)}; ` +
    `hand-overs between fal's rounds ${s(completed.at(-1)! - submitted[0]! - rounds * L)} (a job done → the next in its slot: median ${Math.round(median(handOvers))} ms, ` +
    `p90 ${Math.round(percentile(handOvers, 90))} ms); fal's last job done → every take approved ${s(approvedAt - completed.at(-1)!)}`
  );
}
