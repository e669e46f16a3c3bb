/**
 * How long does `recoil worker` take from process start until it polls its task queue, bundling the
 * workflows at start versus loading the bundle `npm run build` made? Both are measured side by side in
 * one run, on one real Temporal dev server, alternating which goes first; prints medians and the ratio.
 * "Polling" means the server lists a workflow poller on the worker's task queue (DescribeTaskQueue).
 *
 *   npx tsx bench/worker-start.ts [--rounds 5]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { hasLiveWorker } from '../src/review/worker-presence.js';
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { buildWorkflowBundle } from '../src/worker/workflow-bundle.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const RECOIL = fileURLToPath(new URL('../bin/recoil.mjs', import.meta.url));
const POLL_MS = 20;
const START_TIMEOUT_MS = 120_000;

type Variant = 'bundled at start' | 'prebuilt';

interface Setup {
  client: Client;
  address: string;
  dataDir: string;
  bundlePath: string;
}

/** Starts `recoil worker`, times it until the server sees its poller, then stops it. */
async function timeWorkerStart(setup: Setup, variant: Variant): Promise<number> {
  const taskQueue = `bench-worker-start-${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    TEMPORAL_ADDRESS: setup.address,
    TEMPORAL_NAMESPACE: 'default',
    RECOIL_TASK_QUEUE: taskQueue,
    RECOIL_ARTIFACTS_DIR: join(setup.dataDir, 'artifacts'),
    // A path with no bundle makes the worker bundle at start, exactly as it does without `npm run build`.
    RECOIL_WORKFLOW_BUNDLE: variant === 'prebuilt' ? setup.bundlePath : join(setup.dataDir, 'no-bundle-here.js'),
  };
  const started = performance.now();
  const child = spawn(process.execPath, [RECOIL, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    while (!(await hasLiveWorker(setup.client, taskQueue))) {
      if (child.exitCode !== null) throw new Error(`the worker exited before polling:\n${output}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`the worker did not poll within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
      await sleep(POLL_MS);
    }
    const elapsed = performance.now() - started;
    // The start line says which workflow code the worker loaded; a bench that measured the wrong one is worthless.
    const expected = variant === 'prebuilt' ? 'workflows: prebuilt bundle' : 'workflows: bundled at start';
    if (!output.includes(expected)) throw new Error(`expected "${expected}" in the worker's start line, got:\n${output}`);
    return elapsed;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const dataDir = await mkdtemp(join(tmpdir(), 'recoil-bench-worker-start-'));
const server = await startDevServer({ dataDir: join(dataDir, 'temporal'), port: await freePort(), headless: true });
const connection = await Connection.connect({ address: server.address });
try {
  const { path: bundlePath } = await buildWorkflowBundle(join(dataDir, 'dist', 'workflow-bundle.js'));
  const setup: Setup = { client: new Client({ connection, namespace: 'default' }), address: server.address, dataDir, bundlePath };
  const times: Record<Variant, number[]> = { 'bundled at start': [], prebuilt: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating the order keeps warm caches from favouring either side.
    const order: Variant[] = round % 2 === 0 ? ['bundled at start', 'prebuilt'] : ['prebuilt', 'bundled at start'];
    for (const variant of order) times[variant].push(await timeWorkerStart(setup, variant));
    console.log(`round ${round + 1}/${ROUNDS}: bundled at start ${s(times['bundled at start'].at(-1)!)}, prebuilt ${s(times.prebuilt.at(-1)!)}`);
  }
  const atStart = median(times['bundled at start']);
  const prebuilt = median(times.prebuilt);
  console.log(`\nrecoil worker, process start → polling (median of ${ROUNDS} rounds each; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}):`);
  console.log(`bundled at start:   ${s(atStart)}`);
  console.log(`prebuilt bundle:    ${s(prebuilt)}`);
  console.log(`ratio at start / prebuilt: ${(atStart / prebuilt).toFixed(2)}× (${s(atStart - prebuilt)} saved per start)`);
} finally {
  await connection.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
