/**
 * How close does an episode come to ideal parallelism? N two-shot sequences, at most C generating at
 * once, a provider that takes L per take, on a real Temporal dev server and an in-process worker.
 * The ideal is ceil(N/C)·L: every slot busy with provider time only.
 *
 *   fal    the project's fal fake answering each job after L (wall clock, no account cap); the worker
 *          follows each job, downloads and probes the video, runs the critics: our overhead only.
 *   local  the offline provider with a simulated latency L, then a real animatic render on this
 *          machine (R per render alone, measured first; at most one render per core at once).
 *
 * Both modes run one after the other in the same run, so their ratios are comparable.
 *
 *   npx tsx bench/episode.ts [--provider fal|local|both] [--sequences 24] [--concurrency 6] [--latency-ms 8000]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createFalProvider } from '../src/activities/providers/fal/fal-provider.js';
import { renderAnimatic } from '../src/activities/providers/local/animatic.js';
import { createLocalProvider } from '../src/activities/providers/local/local-provider.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { loadPricing } from '../src/config/pricing.js';
import { videoResolution } from '../src/domain/aspect-ratio.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import { videoCostUsd } from '../src/domain/price-table.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { createRecoilWorker } from '../src/worker/create-worker.js';
import { installRuntime } from '../src/worker/runtime.js';
import { approveSignal, statusQuery, type SequenceStatus } from '../src/contract/sequence.js';
import { startFalFake, type FalFake } from '../test/fakes/fal-fake.js';

type Mode = 'fal' | 'local';

const { values } = parseArgs({
  options: {
    provider: { type: 'string', default: 'both' },
    sequences: { type: 'string', default: '24' },
    'latency-ms': { type: 'string', default: '8000' },
    concurrency: { type: 'string', default: '6' },
  },
});
const N = Number(values.sequences);
const L = Number(values['latency-ms']);
const C = Number(values.concurrency);
const MODES: Mode[] = values.provider === 'both' ? ['fal', 'local'] : [values.provider as Mode];
if (!MODES.every((m) => m === 'fal' || m === 'local') || ![N, L, C].every((n) => Number.isFinite(n) && n > 0)) {
  console.error('usage: npx tsx bench/episode.ts [--provider fal|local|both] [--sequences N] [--concurrency C] [--latency-ms L]');
  process.exit(2);
}
const CORES = availableParallelism();
const SHOTS = [3, 3];

interface Run {
  mode: Mode;
  wallMs: number;
  /** Start → every take's video in its folder (before the critics look at it). */
  videosMs: number;
  /** Medians per take, where the time between slot grant and review goes (fal only: the fake's log says when fal had the job). */
  phases?: { submitMs: number; noticeAndDownloadMs: number; criticsMs: number };
  /** Per take: slot granted → video in the take folder, minus L. */
  inSlotOverheadMs: number[];
  /** Per take: how long its slot stood idle, on average (C·wall − time slots were busy) / N. */
  idleSlotMsPerTake: number;
}

function unitFor(projectId: string, i: number, estimatedCostUsd: number): SequenceUnit {
  const sequenceId = `SEQ${String(i + 1).padStart(3, '0')}`;
  const shots = SHOTS.map((duration, s) => {
    const prompt = `${projectId} ${sequenceId}, shot ${s + 1}`;
    return { prompt, providerPrompt: prompt, duration };
  });
  return {
    projectId,
    projectDir: process.cwd(),
    episode: 'EP001',
    sequenceId,
    model: 'kling-o3',
    aspectRatio: '16:9',
    resolution: videoResolution('16:9'),
    generateAudio: false,
    shots,
    elements: [],
    startFrame: null,
    totalDurationSec: SHOTS.reduce((a, b) => a + b, 0),
    estimatedCostUsd,
    estimatedGridCostUsd: 0,
  };
}

/** The render cost of one take, alone, so the local ideal can be stated with it. */
async function measureRenderMs(dir: string): Promise<number> {
  const unit = unitFor('render-probe', 0, 0);
  const started = performance.now();
  await renderAnimatic({ outPath: join(dir, 'probe.mp4'), resolution: unit.resolution, shots: unit.shots, sequenceId: unit.sequenceId, seed: 'probe' });
  return performance.now() - started;
}

async function runEpisode(client: Client, mode: Mode, takeCostUsd: number, fake: FalFake): Promise<Run> {
  const projectId = `bench-${mode}-${randomUUID().slice(0, 8)}`;
  const units = Array.from({ length: N }, (_, i) => unitFor(projectId, i, mode === 'fal' ? takeCostUsd : 0));
  const started = Date.now();
  const { handle } = await startOrFindEpisode(
    client,
    {
      projectId,
      episode: 'EP001',
      units,
      provider: mode,
      maxParallel: C,
      maxTakes: 1,
      autoRetakes: 0,
      ...(mode === 'fal' ? { budgetUsd: N * takeCostUsd * 2 } : {}),
      startedBy: 'bench',
    },
    'bench',
  );
  const ready = new Map<string, { at: number; status: SequenceStatus }>();
  while (ready.size < N) {
    const waiting = units.filter((u) => !ready.has(u.sequenceId));
    await Promise.all(
      waiting.map(async (u) => {
        const seq = client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', u.sequenceId));
        const status = await seq.query(statusQuery).catch(() => undefined);
        if (status?.state !== 'video_complete') return;
        ready.set(u.sequenceId, { at: Date.now(), status });
        await seq.signal(approveSignal, { take: 1, by: 'bench' });
      }),
    );
    if (ready.size < N) await sleep(100);
  }
  const wallMs = Math.max(...[...ready.values()].map((r) => r.at)) - started;
  await handle.result();
  const inSlotMs = [...ready.values()].map(({ status }) => {
    const take = status.takes[0]!;
    return Date.parse(take.finishedAt!) - Date.parse(take.startedAt);
  });
  const busyMs = inSlotMs.reduce((a, b) => a + b, 0);
  const videosMs = Math.max(...[...ready.values()].map(({ status }) => Date.parse(status.takes[0]!.finishedAt!))) - started;
  return {
    mode,
    wallMs,
    videosMs,
    inSlotOverheadMs: inSlotMs.map((ms) => ms - L),
    idleSlotMsPerTake: (C * wallMs - busyMs) / N,
    ...(mode === 'fal' ? { phases: falPhases(fake, [...ready.values()]) } : {}),
  };
}

function falPhases(fake: FalFake, ready: { at: number; status: SequenceStatus }[]): Run['phases'] {
  const eventAt = (requestId: string, event: string) => fake.log.find((e) => e.requestId === requestId && e.event === event)!.at;
  const per = ready.map(({ at, status }) => {
    const take = status.takes[0]!;
    return {
      submitMs: eventAt(take.requestId!, 'submitted') - Date.parse(take.startedAt),
      noticeAndDownloadMs: Date.parse(take.finishedAt!) - eventAt(take.requestId!, 'completed'),
      criticsMs: at - Date.parse(take.finishedAt!),
    };
  });
  return {
    submitMs: median(per.map((p) => p.submitMs)),
    noticeAndDownloadMs: median(per.map((p) => p.noticeAndDownloadMs)),
    criticsMs: median(per.map((p) => p.criticsMs)),
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ms = (n: number) => `${Math.round(n)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

installRuntime('WARN');
const dataDir = await mkdtemp(join(tmpdir(), 'recoil-bench-'));
const loaded = await loadPricing();
if (!loaded.ok) throw new Error(`the price table does not load: ${JSON.stringify(loaded.issues)}`);
const takeCostUsd = videoCostUsd(loaded.pricing.table, 'kling-o3', SHOTS.reduce((a, b) => a + b, 0), false);
const R = MODES.includes('local') ? await measureRenderMs(dataDir) : 0;
const falKey = `bench-${randomUUID()}`;
const fake = await startFalFake({ key: falKey, latencyMs: L });
const server = await startDevServer({ dataDir, port: await freePort(), headless: true });
const workerConnection = await NativeConnection.connect({ address: server.address });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });
const worker = await createRecoilWorker({
  connection: workerConnection,
  namespace: 'default',
  taskQueue: 'bench',
  artifactsRoot: join(dataDir, 'artifacts'),
  providers: {
    local: createLocalProvider({ latencyMs: L }),
    fal: createFalProvider({ credentials: falKey, baseUrl: fake.baseUrl, uploadCacheDir: dataDir, prices: loaded.pricing.table }),
  },
});

try {
  const runs = await worker.runUntil(async () => {
    const done: Run[] = [];
    for (const mode of MODES) done.push(await runEpisode(client, mode, takeCostUsd, fake));
    return done;
  });
  const rounds = Math.ceil(N / C);
  const ideal = rounds * L;
  console.log(`N=${N} sequences of ${SHOTS.length} shots, C=${C} at once, provider latency L=${L} ms, ${CORES} cores${R ? `, one animatic render alone R=${ms(R)}` : ''}`);
  console.log(`ideal ceil(N/C)·L = ${s(ideal)}`);
  console.log('mode   all reviewed  wall/ideal  all videos in  wall/ideal  in-slot overhead per take (median / max)  idle slot per take');
  for (const run of runs) {
    const overhead = `${ms(median(run.inSlotOverheadMs))} / ${ms(Math.max(...run.inSlotOverheadMs))}`;
    const ratio = (x: number) => (x / ideal).toFixed(2).padEnd(11);
    console.log(`${run.mode.padEnd(6)} ${s(run.wallMs).padEnd(13)} ${ratio(run.wallMs)} ${s(run.videosMs).padEnd(14)} ${ratio(run.videosMs)} ${overhead.padEnd(41)} ${ms(run.idleSlotMsPerTake)}`);
  }
  for (const { mode, phases } of runs) {
    if (phases) console.log(`${mode} per take (median): slot granted → job at fal ${ms(phases.submitMs)}; fal done → video in folder ${ms(phases.noticeAndDownloadMs)}; video → reviewed ${ms(phases.criticsMs)}`);
  }
  const local = runs.find((r) => r.mode === 'local');
  if (local) {
    // Each round's C renders share the cores: at best ceil(C/cores) renders back to back.
    const localIdeal = rounds * (L + Math.ceil(C / CORES) * R);
    console.log(`local ideal with its renders, ceil(N/C)·(L + ceil(C/cores)·R) = ${s(localIdeal)}: wall/ideal ${(local.wallMs / localIdeal).toFixed(2)}`);
  }
} finally {
  await connection.close();
  await workerConnection.close();
  await server.stop();
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
}
