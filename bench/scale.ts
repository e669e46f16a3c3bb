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
 *   npx tsx bench/scale.ts [--provider fal|local] [--sequences 200] [--concurrency 10] [--latency-ms 3000]
 *
 * Prints the pace against the ideal and where the time beyond it went (fal), the worker's resident
 * memory as the episode goes (and its peak), the time to read the whole board the way
 * `recoil status` does, a decision's round trip (p50 / p99), and the episode's history length.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { readBoard } from '../src/client/read-board.js';
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
  },
});
const PROVIDER = values.provider as 'fal' | 'local';
const N = Number(values.sequences);
const C = Number(values.concurrency);
const L = Number(values['latency-ms']);
if (!['fal', 'local'].includes(PROVIDER) || ![N, C, L].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('usage: npx tsx bench/scale.ts [--provider fal|local] [--sequences N] [--concurrency C] [--latency-ms L]');
  process.exit(2);
}
const BIN = fileURLToPath(new URL('../bin/recoil.mjs', import.meta.url));
const SHOTS = [3];
const TARGETS = { ratio: 1.8, rssMb: 450, boardMs: 800, decisionP99Ms: 500 };
const TASK_QUEUE = 'bench-scale';

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

// The worker runs as the image runs it: compiled and bundled beforehand, not bundling at its start.
execFileSync(process.execPath, [fileURLToPath(new URL('../bin/build.mjs', import.meta.url))], { stdio: 'ignore' });
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
// Through bin/recoil.mjs's #! line, as `npx recoil worker` and the image start it.
const worker = spawn(BIN, ['worker'], {
  env: { ...process.env, ...providerEnv, TEMPORAL_ADDRESS: server.address, RECOIL_TASK_QUEUE: TASK_QUEUE, RECOIL_ARTIFACTS_DIR: join(dataDir, 'artifacts') },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });

try {
  // The clock starts once the worker polls: a studio's worker is running before anyone starts an episode.
  await new Promise<void>((polling, failed) => {
    worker.stdout!.on('data', function started(chunk: Buffer) {
      if (!chunk.toString().includes('polling')) return;
      worker.stdout!.off('data', started);
      worker.stdout!.resume();
      polling();
    });
    worker.once('exit', (code) => failed(new Error(`the worker exited (${code}) before polling`)));
  });
  const projectId = `scale-${randomUUID().slice(0, 8)}`;
  const units = Array.from({ length: N }, (_, i) => benchUnit(projectId, i, { shotDurations: SHOTS, estimatedCostUsd: takeCostUsd }));
  const started = Date.now();
  const { handle } = await startOrFindEpisode(
    client,
    { projectId, episode: 'EP001', units, provider: PROVIDER, maxParallel: C, maxTakes: 1, autoRetakes: 0, budgetUsd: N * takeCostUsd * 2 + 1, startedBy: 'bench' },
    TASK_QUEUE,
  );
  const roundTrips: number[] = [];
  const memory: { approved: number; rssMb: number }[] = [];
  const boardReads: { approved: number; ms: number }[] = [];
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
  const wallMs = Date.now() - started;
  await handle.result();
  const { peakMb } = memoryOf(worker.pid!);
  const history = (await handle.describe()).raw.workflowExecutionInfo?.historyLength;
  const idealMs = Math.ceil(N / C) * L;

  console.log(`N=${N} one-shot sequences, C=${C} at once, ${PROVIDER} provider latency L=${L} ms; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (fake) {
    const ratio = wallMs / idealMs;
    console.log(`wall time (start → every take approved): ${s(wallMs)}; ideal ceil(N/C)·L ${s(idealMs)}: ${ratio.toFixed(2)}× (target ≤ ${TARGETS.ratio}×: ${met(ratio <= TARGETS.ratio)})`);
    console.log(beyondIdeal(fake.log, started, started + wallMs, idealMs));
  } else {
    console.log(`wall time (start → every take approved): ${s(wallMs)}`);
  }
  const rssDuring = Math.max(...memory.map((m) => m.rssMb));
  console.log(
    `worker resident memory by sequences approved: ${memory.map((m) => `${m.approved}: ${Math.round(m.rssMb)} MB`).join(', ')}; ` +
      `peak ${Math.round(peakMb)} MB (target ≤ ${TARGETS.rssMb} MB: ${met(peakMb <= TARGETS.rssMb)})${rssDuring < peakMb ? `, the highest sample ${Math.round(rssDuring)} MB` : ''}`,
  );
  const slowestRead = Math.max(...boardReads.map((b) => b.ms));
  console.log(`board read (every sequence, as recoil status reads it): ${boardReads.map((b) => `${b.approved}: ${Math.round(b.ms)} ms`).join(', ')} (target ≤ ${TARGETS.boardMs} ms: ${met(slowestRead <= TARGETS.boardMs)})`);
  const p99 = percentile(roundTrips, 99);
  console.log(`decision round trip (approve Update): p50 ${Math.round(median(roundTrips))} ms, p99 ${Math.round(p99)} ms (target p99 ≤ ${TARGETS.decisionP99Ms} ms: ${met(p99 <= TARGETS.decisionP99Ms)})`);
  console.log(`episode workflow history: ${history} events`);
} finally {
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await connection.close();
  await server.stop();
  await fake?.close();
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
    `beyond the ideal, ${s(approvedAt - startedAt - idealMs)}: start → first job at fal ${s(submitted[0]! - startedAt)}; ` +
    `hand-overs between fal's rounds ${s(completed.at(-1)! - submitted[0]! - rounds * L)} (a job done → the next in its slot: median ${Math.round(median(handOvers))} ms, ` +
    `p90 ${Math.round(percentile(handOvers, 90))} ms); fal's last job done → every take approved ${s(approvedAt - completed.at(-1)!)}`
  );
}
