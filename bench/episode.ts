/**
 * How close does an episode come to ideal parallelism? N sequences on the local provider with a
 * simulated latency L, at most C generating at once, on a real Temporal dev server.
 * Prints wall time next to the ideal ceil(N/C)·L and the sequential N·L, measured in one run.
 * Each take also renders a real animatic (cost R, measured first), so ceil(N/C)·(L+R) is shown too.
 *
 *   npx tsx bench/episode.ts [--sequences 6] [--latency-ms 8000] [--concurrency 2]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { renderAnimatic } from '../src/activities/providers/local/animatic.js';
import { createLocalProvider } from '../src/activities/providers/local/local-provider.js';
import { actAsProducer, throughTemporal } from '../src/client/producer.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { videoResolution } from '../src/domain/aspect-ratio.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { runWorker } from '../src/worker/run-worker.js';
import { installRuntime } from '../src/worker/runtime.js';

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '6' },
    'latency-ms': { type: 'string', default: '8000' },
    concurrency: { type: 'string', default: '2' },
  },
});
const N = Number(values.sequences);
const L = Number(values['latency-ms']);
const C = Number(values.concurrency);

function unitFor(projectId: string, i: number): SequenceUnit {
  const shots = [3, 3].map((duration, s) => ({ prompt: `Bench sequence ${i + 1}, shot ${s + 1}`, providerPrompt: `Bench sequence ${i + 1}, shot ${s + 1}`, duration }));
  return {
    projectId,
    projectDir: process.cwd(),
    episode: 'EP001',
    sequenceId: `SEQ${String(i + 1).padStart(2, '0')}`,
    model: 'kling-o3',
    aspectRatio: '16:9',
    resolution: videoResolution('16:9'),
    generateAudio: false,
    shots,
    elements: [],
    startFrame: null,
    totalDurationSec: 6,
    estimatedCostUsd: 0,
    estimatedGridCostUsd: 0,
  };
}

/** The render cost of one take, alone, so the ideal can be stated with and without it. */
async function measureRenderMs(dir: string): Promise<number> {
  const unit = unitFor('render-probe', 0);
  const started = performance.now();
  await renderAnimatic({ outPath: join(dir, 'probe.mp4'), resolution: unit.resolution, shots: unit.shots, sequenceId: unit.sequenceId, seed: 'probe' });
  return performance.now() - started;
}

installRuntime('WARN');
const dataDir = await mkdtemp(join(tmpdir(), 'recoil-bench-'));
const R = await measureRenderMs(dataDir);
const server = await startDevServer({ dataDir, port: await freePort(), headless: true });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });
const worker = {
  connection: { address: server.address },
  namespace: 'default',
  taskQueue: 'bench',
  artifactsRoot: join(dataDir, 'artifacts'),
  providers: { local: createLocalProvider({ latencyMs: L }) },
};

try {
  await runWorker(worker, async () => {
    const projectId = `bench-${Date.now()}`;
    const units = Array.from({ length: N }, (_, i) => unitFor(projectId, i));
    const started = performance.now();
    const { handle } = await startOrFindEpisode(
      client,
      { projectId, episode: 'EP001', units, provider: 'local', maxParallel: C, maxTakes: 1, autoRetakes: 0, startedBy: 'bench' },
      'bench',
    );
    // A take is ready when the producer sees it finished; the last approval marks the wall time.
    let lastReady = started;
    const sequenceIds = units.map((u) => u.sequenceId);
    await actAsProducer({
      projectId,
      episode: 'EP001',
      sequenceIds,
      policy: { by: 'bench', quadrant: 1 },
      ...throughTemporal(client, projectId, 'EP001', sequenceIds),
      onDecision: () => (lastReady = performance.now()),
      pollMs: 100,
    });
    const wallMs = lastReady - started;
    await handle.result();
    const rounds = Math.ceil(N / C);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`sequences N=${N}, simulated latency L=${L} ms, concurrency C=${C}, render per take R=${Math.round(R)} ms`);
    console.log(`wall time (start → every take ready):  ${s(wallMs)}`);
    console.log(`ideal ceil(N/C)·L:                     ${s(rounds * L)}   ratio wall/ideal ${(wallMs / (rounds * L)).toFixed(2)}`);
    console.log(`ideal ceil(N/C)·(L+R):                 ${s(rounds * (L + R))}   ratio wall/ideal ${(wallMs / (rounds * (L + R))).toFixed(2)}`);
    console.log(`sequential N·L:                        ${s(N * L)}   speed-up over it ${((N * L) / wallMs).toFixed(2)}×`);
  });
} finally {
  await connection.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
