/**
 * How close does an episode come to ideal parallelism? N two-shot sequences, at most C generating at
 * once, a provider that takes L per take, on a real Temporal dev server and an in-process worker.
 * The ideal is ceil(N/C)·L: every slot busy with provider time only.
 *
 *   fal    the project's fal fake answering each job after L (wall clock, no account cap); the worker
 *          follows each job, downloads and probes the video, runs the critics: our overhead only.
 *          Every job goes through the fal account's gate, here allowing C jobs at once.
 *   local  the offline provider with a simulated latency L, then a real animatic render on this
 *          machine (R per render alone, measured first; at most one render per core at once).
 *   shared two fal episodes at once, each allowing 2 sequences at once, on one account allowing 3:
 *          the ideal is ceil(jobs/3)·L, and the fake's log shows the most jobs it ever had at once.
 *
 * The modes run one after the other in the same run, so their ratios are comparable.
 *
 *   npx tsx bench/episode.ts [--provider fal|local|shared|all] [--sequences 24] [--concurrency 6] [--latency-ms 8000]
 *                            [--shared-sequences 6]   (per episode, in the shared mode)
 */
import { randomUUID } from 'node:crypto';
import { LocalFolderStore } from '../src/store/local-folder-store.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { createFalProvider } from '../src/activities/providers/fal/fal-provider.js';
import { renderAnimatic } from '../src/activities/providers/local/animatic.js';
import { createLocalProvider } from '../src/activities/providers/local/local-provider.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { loadPricing } from '../src/config/pricing.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import { videoCostUsd } from '../src/domain/price-table.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { runWorker } from '../src/worker/run-worker.js';
import { installRuntime } from '../src/worker/runtime.js';
import { approveSignal, statusQuery, type SequenceStatus } from '../src/contract/sequence.js';
import { startFalFake } from '../test/fakes/fal-fake.js';
import { benchUnit } from './bench-unit.js';

type Mode = 'fal' | 'local' | 'shared';

interface Scenario {
  mode: Mode;
  episodes: number;
  sequencesPerEpisode: number;
  maxParallel: number;
  /** The fal account's limit on jobs in flight, across episodes. */
  accountLimit: number;
}

const { values } = parseArgs({
  options: {
    provider: { type: 'string', default: 'all' },
    'shared-sequences': { type: 'string', default: '6' },
    sequences: { type: 'string', default: '24' },
    'latency-ms': { type: 'string', default: '8000' },
    concurrency: { type: 'string', default: '6' },
  },
});
const N = Number(values.sequences);
const L = Number(values['latency-ms']);
const C = Number(values.concurrency);
const SHARED_N = Number(values['shared-sequences']);
const MODES: Mode[] = values.provider === 'all' ? ['fal', 'local', 'shared'] : [values.provider as Mode];
if (!MODES.every((m) => ['fal', 'local', 'shared'].includes(m)) || ![N, L, C, SHARED_N].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('usage: npx tsx bench/episode.ts [--provider fal|local|shared|all] [--sequences N] [--concurrency C] [--latency-ms L] [--shared-sequences N]');
  process.exit(2);
}
const SCENARIOS: Record<Mode, Scenario> = {
  fal: { mode: 'fal', episodes: 1, sequencesPerEpisode: N, maxParallel: C, accountLimit: C },
  local: { mode: 'local', episodes: 1, sequencesPerEpisode: N, maxParallel: C, accountLimit: C },
  shared: { mode: 'shared', episodes: 2, sequencesPerEpisode: SHARED_N, maxParallel: 2, accountLimit: 3 },
};
const CORES = availableParallelism();
const FAL_TARGET = 1.15;
const SHOTS = [3, 3];

interface Run {
  scenario: Scenario;
  /** Not counted in the wall time: creating the worker until it polls. */
  workerStartMs: number;
  /** ceil(jobs / what may run at once)·L */
  idealMs: number;
  /** Start → every take reviewed by the critics, ready for a person. */
  wallMs: number;
  /** Start → every take's video in its folder. */
  videosMs: number;
  /** Per take: slot granted → video in the take folder, minus L. */
  inSlotOverheadMs: number[];
  /** Medians per take, where the time goes (fal only: the fake's log says when fal had the job). */
  phases?: { submitMs: number; noticeAndDownloadMs: number; criticsMs: number };
  /** The most jobs the fal fake ever had at once, from its own log (fal only). */
  mostAtFal?: number;
  /** Where the time beyond the ideal went, from the fake's log (fal only). */
  beyondIdeal?: BeyondIdeal;
}

interface BeyondIdeal {
  /** Episode start → the first job at fal. */
  rampMs: number;
  /** First job at fal → fal's last job done, minus the rounds' L: slots waiting between one job and the next. */
  handOversMs: number;
  /** A job done → the next job in its slot at fal, median. */
  medianHandOverMs: number;
  /** Fal's last job done → every take reviewed: fetching the video, probing it, the critics. */
  tailMs: number;
}

interface Ready {
  at: number;
  status: SequenceStatus;
}

/** The render cost of one take, alone, so the local ideal can be stated with it. */
async function measureRenderMs(dir: string): Promise<number> {
  const unit = benchUnit('render-probe', 0, { shotDurations: SHOTS, estimatedCostUsd: 0 });
  const started = performance.now();
  await renderAnimatic({ outPath: join(dir, 'probe.mp4'), resolution: unit.resolution, shots: unit.shots, sequenceId: unit.sequenceId, seed: 'probe' });
  return performance.now() - started;
}

/** Runs the scenario's episodes at once on a worker of its own, approving each take once the critics have seen it. */
async function runScenario(scenario: Scenario): Promise<Run> {
  const taskQueue = `bench-${scenario.mode}-${randomUUID().slice(0, 8)}`;
  const worker = {
    connection: { address: server.address },
    namespace: 'default',
    taskQueue,
    store: new LocalFolderStore(join(dataDir, 'artifacts')),
    providers,
    accountLimits: { fal: scenario.accountLimit },
    onStart: () => undefined,
  };
  const provider = scenario.mode === 'local' ? 'local' : 'fal';
  const costUsd = provider === 'fal' ? takeCostUsd : 0;
  const episodes = Array.from({ length: scenario.episodes }, () => {
    const projectId = `bench-${scenario.mode}-${randomUUID().slice(0, 8)}`;
    return { projectId, units: Array.from({ length: scenario.sequencesPerEpisode }, (_, i) => benchUnit(projectId, i, { shotDurations: SHOTS, estimatedCostUsd: costUsd })) };
  });
  const jobs = scenario.episodes * scenario.sequencesPerEpisode;
  // The clock starts once the worker polls: a studio's worker is running before anyone starts an episode.
  const workerStarting = Date.now();
  let started = 0;
  const ready = await runWorker(worker, async () => {
    started = Date.now();
    const handles = await Promise.all(
      episodes.map(async ({ projectId, units }) => {
        const input = { projectId, episode: 'EP001', units, provider, maxParallel: scenario.maxParallel, maxTakes: 1, autoRetakes: 0, budgetUsd: jobs * costUsd * 2 + 1, startedBy: 'bench' } as const;
        return (await startOrFindEpisode(client, input, taskQueue)).handle;
      }),
    );
    const seen = (await Promise.all(episodes.map(({ projectId, units }) => approveWhenReady(projectId, units)))).flat();
    await Promise.all(handles.map((h) => h.result()));
    return seen;
  }) ?? [];
  const finishedAt = (r: Ready) => Date.parse(r.status.takes[0]!.finishedAt!);
  const inSlotMs = ready.map((r) => finishedAt(r) - Date.parse(r.status.takes[0]!.startedAt));
  const mine = new Set(ready.map((r) => r.status.takes[0]!.requestId!));
  return {
    scenario,
    workerStartMs: started - workerStarting,
    idealMs: Math.ceil(jobs / Math.min(scenario.accountLimit, scenario.episodes * scenario.maxParallel)) * L,
    wallMs: Math.max(...ready.map((r) => r.at)) - started,
    videosMs: Math.max(...ready.map(finishedAt)) - started,
    inSlotOverheadMs: inSlotMs.map((ms) => ms - L),
    ...(provider === 'fal' ? { phases: falPhases(ready), mostAtFal: fake.maxInFlight((id) => mine.has(id)), beyondIdeal: beyondIdeal(mine, started, Math.max(...ready.map((r) => r.at)), scenario) } : {}),
  };
}

/**
 * The wall time is the ramp to the first job, fal's own rounds (L each) with the hand-overs between
 * them, and the tail after fal's last job; the fake's log says when each job arrived and finished.
 */
function beyondIdeal(mine: Set<string>, startedAt: number, reviewedAt: number, scenario: Scenario): BeyondIdeal {
  const times = (event: string) => fake.log.filter((e) => mine.has(e.requestId) && e.event === event).map((e) => e.at).sort((a, b) => a - b);
  const submitted = times('submitted');
  const completed = times('completed');
  const slots = Math.min(scenario.accountLimit, scenario.episodes * scenario.maxParallel);
  const rounds = Math.ceil(submitted.length / slots);
  // The i-th job beyond the first round takes the slot the (i − slots)-th job to finish gave up.
  const handOvers = submitted.slice(slots).map((at, i) => at - completed[i]!);
  return {
    rampMs: submitted[0]! - startedAt,
    handOversMs: completed.at(-1)! - submitted[0]! - rounds * L,
    medianHandOverMs: handOvers.length ? median(handOvers) : 0,
    tailMs: reviewedAt - completed.at(-1)!,
  };
}

async function approveWhenReady(projectId: string, units: SequenceUnit[]): Promise<Ready[]> {
  const ready = new Map<string, Ready>();
  while (ready.size < units.length) {
    await Promise.all(
      units
        .filter((u) => !ready.has(u.sequenceId))
        .map(async (u) => {
          const seq = client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', u.sequenceId));
          const status = await seq.query(statusQuery).catch(() => undefined);
          if (status?.state !== 'video_complete') return;
          ready.set(u.sequenceId, { at: Date.now(), status });
          await seq.signal(approveSignal, { take: 1, by: 'bench' });
        }),
    );
    if (ready.size < units.length) await sleep(100);
  }
  return [...ready.values()];
}

function falPhases(ready: Ready[]): Run['phases'] {
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
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });
const providers = {
  local: createLocalProvider({ latencyMs: L }),
  fal: createFalProvider({ credentials: falKey, baseUrl: fake.baseUrl, uploadCacheDir: dataDir, prices: loaded.pricing.table }),
};

try {
  const runs: Run[] = [];
  for (const mode of MODES) runs.push(await runScenario(SCENARIOS[mode]));
  console.log(`provider latency L=${L} ms, ${CORES} cores${R ? `, one animatic render alone R=${ms(R)}` : ''}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
  console.log('mode    jobs  at once  ideal     all reviewed  ratio  all videos in  ratio  in-slot overhead/take (median / max)  most at fal');
  for (const run of runs) {
    const { mode, episodes, sequencesPerEpisode, maxParallel, accountLimit } = run.scenario;
    const atOnce = episodes > 1 ? `${episodes}×${maxParallel}, acct ${accountLimit}` : String(maxParallel);
    const overhead = `${ms(median(run.inSlotOverheadMs))} / ${ms(Math.max(...run.inSlotOverheadMs))}`;
    const ratio = (x: number) => (x / run.idealMs).toFixed(2).padEnd(6);
    console.log(
      `${mode.padEnd(7)} ${String(episodes * sequencesPerEpisode).padEnd(5)} ${atOnce.padEnd(8)} ${s(run.idealMs).padEnd(9)} ${s(run.wallMs).padEnd(13)} ${ratio(run.wallMs)} ${s(run.videosMs).padEnd(14)} ${ratio(run.videosMs)} ${overhead.padEnd(38)} ${run.mostAtFal ?? '-'}`,
    );
  }
  for (const { scenario, phases, workerStartMs } of runs) {
    console.log(`${scenario.mode}: the worker took ${s(workerStartMs)} to start polling, before the clock started (a studio's worker is already running)`);
    if (phases) console.log(`${scenario.mode} per take (median): slot granted → job at fal ${ms(phases.submitMs)}; fal done → video in folder ${ms(phases.noticeAndDownloadMs)}; video → reviewed ${ms(phases.criticsMs)}`);
  }
  for (const { scenario, wallMs, idealMs } of runs) {
    if (scenario.mode !== 'fal') continue;
    const ratio = wallMs / idealMs;
    console.log(`fal all reviewed / ideal ${ratio.toFixed(3)}× (the issue's target for 24 × (6 at a time, 8 s): ≤ ${FAL_TARGET}×: ${ratio <= FAL_TARGET ? 'met' : 'NOT met'})`);
  }
  for (const { scenario, beyondIdeal: b, wallMs, idealMs } of runs) {
    if (!b) continue;
    console.log(
      `${scenario.mode} beyond the ideal, ${s(wallMs - idealMs)}: start → first job at fal ${s(b.rampMs)}; hand-overs between fal's rounds ${s(b.handOversMs)} ` +
        `(a job done → the next in its slot at fal: median ${ms(b.medianHandOverMs)}); fal's last job done → every take reviewed ${s(b.tailMs)}`,
    );
  }
  const local = runs.find((r) => r.scenario.mode === 'local');
  if (local) {
    // Each round's C renders share the cores: at best ceil(C/cores) renders back to back.
    const localIdeal = Math.ceil(N / C) * (L + Math.ceil(C / CORES) * R);
    console.log(`local ideal with its renders, ceil(N/C)·(L + ceil(C/cores)·R) = ${s(localIdeal)}: all reviewed / ideal ${(local.wallMs / localIdeal).toFixed(2)}`);
  }
} finally {
  await connection.close();
  await server.stop();
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
}
