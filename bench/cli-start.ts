/**
 * How fast does a `recoil` command answer? Today's compiled, lazily loaded CLI side by side with a
 * baseline checkout (default: release 0.4.0 as shipped, which transpiled the whole CLI with tsx at
 * every call), both measured in one run, alternating, while one episode of N one-shot sequences runs
 * on the fal path (the project's fal fake, 3 s jobs, 10 at a time) on a real dev server, with a
 * `recoil worker` of its own, every take approved as it arrives.
 *
 *   npx tsx bench/cli-start.ts [--sequences 200] [--rounds 9] [--baseline e2248ea]
 *
 * Prints the median and max of `recoil --help` and `recoil status <project> --json` for each, the
 * ratio, and the targets (--help ≤ 0.35 s; status on 200 sequences ≤ 0.8 s median while it runs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { startFalFake } from '../test/fakes/fal-fake.js';
import { approveReadyTakes } from './approve-ready.js';
import { benchUnit } from './bench-unit.js';

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '9' },
    baseline: { type: 'string', default: 'e2248ea' },
  },
});
const N = Number(values.sequences);
const ROUNDS = Number(values.rounds);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const TASK_QUEUE = 'bench-cli-start';
const TARGETS = { help: 350, status: 800 };

interface Variant {
  name: string;
  bin: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The baseline's sources in a worktree of their own, sharing this checkout's node_modules. */
function checkOutBaseline(dir: string, ref: string): string {
  execFileSync('git', ['-C', REPO, 'worktree', 'add', '--detach', dir, ref], { stdio: 'ignore' });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin', 'recoil.mjs');
}

/** Runs one CLI call to completion and returns its wall time in ms; a failure stops the bench. */
async function timeCall(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${code}:\n${stderr}`);
  return performance.now() - started;
}

/** Approves every take as it arrives, so the episode keeps moving while the CLI is timed. */
async function approveAsTakesArrive(client: Client, projectId: string, units: { sequenceId: string }[], done: () => boolean): Promise<void> {
  const approved = new Set<string>();
  while (!done() && approved.size < units.length) {
    await approveReadyTakes(client, projectId, approved);
    await sleep(500);
  }
}

const dataDir = await mkdtemp(join(tmpdir(), 'recoil-bench-cli-'));
const baselineDir = join(dataDir, 'baseline');
const variants: Variant[] = [
  { name: `baseline ${values.baseline}`, bin: checkOutBaseline(baselineDir, values.baseline) },
  { name: 'compiled, lazy', bin: join(REPO, 'bin', 'recoil.mjs') },
];
const server = await startDevServer({ dataDir, port: await freePort(), headless: true });
const falKey = `bench-${randomUUID()}`;
const fake = await startFalFake({ key: falKey, latencyMs: 3_000 });
const env = { ...process.env, NO_COLOR: '1', TEMPORAL_ADDRESS: server.address, RECOIL_TASK_QUEUE: TASK_QUEUE, RECOIL_ARTIFACTS_DIR: join(dataDir, 'artifacts'), FAL_KEY: falKey, RECOIL_FAL_BASE_URL: fake.baseUrl };
const worker = spawn(process.execPath, [variants[1]!.bin, 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });
let finished = false;

try {
  // Each variant once before timing: the baseline's tsx cache and our first-use compile are not what is measured.
  for (const variant of variants) await timeCall(variant.bin, ['--help'], env);
  const projectId = `cli-${randomUUID().slice(0, 8)}`;
  const units = Array.from({ length: N }, (_, i) => benchUnit(projectId, i, { shotDurations: [3], estimatedCostUsd: 0 }));
  const { handle } = await startOrFindEpisode(client, { projectId, episode: 'EP001', units, provider: 'fal', maxParallel: 10, maxTakes: 1, autoRetakes: 0, startedBy: 'bench' }, TASK_QUEUE);
  const approving = approveAsTakesArrive(client, projectId, units, () => finished);
  const timings = new Map(variants.map((v) => [v.name, { help: [] as number[], status: [] as number[] }]));
  let whileRunning = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      const times = timings.get(variant.name)!;
      times.help.push(await timeCall(variant.bin, ['--help'], env));
      times.status.push(await timeCall(variant.bin, ['status', projectId, '--json'], env));
    }
    if ((await handle.describe()).status.name === 'RUNNING') whileRunning++;
  }
  finished = true;
  await approving;

  console.log(`N=${N} sequences, ${ROUNDS} rounds alternating, ${whileRunning} of them while the episode ran; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const [kind, target] of Object.entries(TARGETS) as ['help' | 'status', number][]) {
    const label = kind === 'help' ? 'recoil --help' : `recoil status --json (${N} sequences)`;
    const medians = variants.map((v) => median(timings.get(v.name)![kind]));
    for (const [i, v] of variants.entries()) {
      const xs = timings.get(v.name)![kind];
      console.log(`${label.padEnd(38)} ${v.name.padEnd(18)} median ${s(medians[i]!)}  max ${s(Math.max(...xs))}`);
    }
    const ours = medians[1]!;
    console.log(`${label.padEnd(38)} ratio ${(medians[0]! / ours).toFixed(1)}× faster; target ≤ ${s(target)}: ${ours <= target ? 'met' : 'NOT met'}`);
  }
} finally {
  finished = true;
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await connection.close();
  await server.stop();
  await fake.close();
  execFileSync('git', ['-C', REPO, 'worktree', 'remove', '--force', baselineDir], { stdio: 'ignore' });
  await rm(dataDir, { recursive: true, force: true });
}
