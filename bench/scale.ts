/**
 * Hundreds of sequences in one episode: does the worker's memory stay flat, can the board still be
 * read, do decisions still come back quickly? One episode of N one-shot sequences on the offline
 * provider (latency L, real animatics and critics), C at once, a `recoil worker` process of its own
 * on a real dev server. Each take is approved through the approve Update as soon as it is ready.
 *
 *   npx tsx bench/scale.ts [--sequences 200] [--concurrency 6] [--latency-ms 200]
 *
 * Prints the wall time, the worker's resident memory as the episode goes (and its peak), the time to
 * read the whole board the way `recoil status` does, a decision's round trip (p50 / p99), and the
 * episode workflow's history length.
 */
import { spawn } from 'node:child_process';
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
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { approveReadyTakes } from './approve-ready.js';
import { benchUnit } from './bench-unit.js';

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '6' },
    'latency-ms': { type: 'string', default: '200' },
  },
});
const N = Number(values.sequences);
const C = Number(values.concurrency);
const L = Number(values['latency-ms']);
const BIN = fileURLToPath(new URL('../bin/recoil.mjs', import.meta.url));
const TASK_QUEUE = 'bench-scale';

/** Resident and peak resident memory of a process, in MB, from /proc. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dataDir = await mkdtemp(join(tmpdir(), 'recoil-bench-scale-'));
const server = await startDevServer({ dataDir, port: await freePort(), headless: true });
const worker = spawn(process.execPath, [BIN, 'worker'], {
  env: { ...process.env, TEMPORAL_ADDRESS: server.address, RECOIL_TASK_QUEUE: TASK_QUEUE, RECOIL_ARTIFACTS_DIR: join(dataDir, 'artifacts'), RECOIL_LOCAL_LATENCY_MS: String(L) },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });

try {
  const projectId = `scale-${randomUUID().slice(0, 8)}`;
  const units = Array.from({ length: N }, (_, i) => benchUnit(projectId, i, { shotDurations: [3], estimatedCostUsd: 0 }));
  const started = Date.now();
  const { handle } = await startOrFindEpisode(
    client,
    { projectId, episode: 'EP001', units, provider: 'local', maxParallel: C, maxTakes: 1, autoRetakes: 0, startedBy: 'bench' },
    TASK_QUEUE,
  );
  const roundTrips: number[] = [];
  const memory: { approved: number; rssMb: number }[] = [];
  const boardReads: { approved: number; ms: number }[] = [];
  const approved = new Set<string>();
  let nextSample = 0;
  while (approved.size < N) {
    roundTrips.push(...(await approveReadyTakes(client, projectId, units, approved)));
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

  console.log(`N=${N} one-shot sequences, C=${C} at once, offline provider latency L=${L} ms; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`wall time (start → every take approved): ${s(wallMs)}`);
  console.log(`worker resident memory by sequences approved: ${memory.map((m) => `${m.approved}: ${Math.round(m.rssMb)} MB`).join(', ')}; peak ${Math.round(peakMb)} MB (target ≤ 400 MB)`);
  console.log(`board read (every sequence, as recoil status reads it): ${boardReads.map((b) => `${b.approved}: ${Math.round(b.ms)} ms`).join(', ')} (target ≤ 1 s)`);
  console.log(`decision round trip (approve Update): p50 ${Math.round(percentile(roundTrips, 50))} ms, p99 ${Math.round(percentile(roundTrips, 99))} ms (target p99 ≤ 300 ms)`);
  console.log(`episode workflow history: ${history} events`);
} finally {
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await connection.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
