/**
 * How close does an episode come to ideal parallelism? N sequences on the local provider with a
 * simulated latency L, at most C generating at once, on a real Temporal dev server.
 * Prints wall time next to the ideal ceil(N/C)·L and the sequential N·L, measured in one run.
 *
 *   npx tsx bench/episode.ts [--sequences 6] [--latency-ms 4000] [--concurrency 2]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createLocalProvider } from '../src/activities/providers/local/local-provider.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { videoResolution } from '../src/domain/aspect-ratio.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { createRecoilWorker } from '../src/worker/create-worker.js';
import { approveSignal, statusQuery } from '../src/workflows/sequence-messages.js';

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '6' },
    'latency-ms': { type: 'string', default: '4000' },
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
  };
}

const dataDir = await mkdtemp(join(tmpdir(), 'recoil-bench-'));
const server = await startDevServer({ dataDir, port: await freePort(), headless: true });
const workerConnection = await NativeConnection.connect({ address: server.address });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });
const worker = await createRecoilWorker({
  connection: workerConnection,
  namespace: 'default',
  taskQueue: 'bench',
  artifactsRoot: join(dataDir, 'artifacts'),
  providers: { local: createLocalProvider({ latencyMs: L }) },
});

try {
  await worker.runUntil(async () => {
    const projectId = `bench-${Date.now()}`;
    const units = Array.from({ length: N }, (_, i) => unitFor(projectId, i));
    const started = performance.now();
    const { handle } = await startOrFindEpisode(
      client,
      { projectId, episode: 'EP001', units, provider: 'local', maxParallel: C, maxTakes: 1, startedBy: 'bench' },
      'bench',
    );
    const pending = new Set(units.map((u) => u.sequenceId));
    while (pending.size > 0) {
      for (const id of [...pending]) {
        const seq = client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', id));
        const status = await seq.query(statusQuery).catch(() => undefined);
        if (status?.state === 'video_complete') {
          pending.delete(id);
          await seq.signal(approveSignal, { take: 1, by: 'bench' });
        }
      }
      await sleep(100);
    }
    const wallMs = performance.now() - started;
    await handle.result();
    const idealMs = Math.ceil(N / C) * L;
    const sequentialMs = N * L;
    console.log(`sequences N=${N}, simulated latency L=${L} ms, concurrency C=${C}`);
    console.log(`wall time (start → every take ready):  ${(wallMs / 1000).toFixed(2)} s`);
    console.log(`ideal ceil(N/C)·L:                     ${(idealMs / 1000).toFixed(2)} s`);
    console.log(`ratio wall / ideal:                    ${(wallMs / idealMs).toFixed(2)}`);
    console.log(`sequential N·L:                        ${(sequentialMs / 1000).toFixed(2)} s (speed-up over sequential ${(sequentialMs / wallMs).toFixed(2)}×)`);
  });
} finally {
  await connection.close();
  await workerConnection.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
