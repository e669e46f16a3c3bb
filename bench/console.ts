/**
 * The console on a large episode: how fast the Board of N sequences answers, and how soon a decision
 * made in one tab shows in another. A real dev server and worker, N sequence workflows (the local
 * provider with a long latency, so they stay generating), the console, and two Chromium tabs.
 *
 *   npx tsx bench/console.ts [--sequences 200] [--rounds 20]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { chromium } from 'playwright-core';
import { createLocalProvider } from '../src/activities/providers/local/local-provider.js';
import { readBoard } from '../src/review/read-board.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { startConsole } from '../src/console/server.js';
import { freePort, startDevServer } from '../src/temporal/dev-server.js';
import { runWorker } from '../src/worker/run-worker.js';
import { installRuntime } from '../src/worker/runtime.js';
import { benchUnit } from './bench-unit.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const { values } = parseArgs({ options: { sequences: { type: 'string', default: '200' }, rounds: { type: 'string', default: '20' } } });
const N = Number(values.sequences);
const ROUNDS = Number(values.rounds);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
const ms = (x: number) => `${Math.round(x)} ms`;

async function timeBoard(what: string, url: string, times: number): Promise<number[]> {
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const response = await fetch(url);
    const html = await response.text();
    if (!response.ok || (html.match(/class="card /g) ?? []).length !== N) throw new Error(`the board did not show ${N} cards`);
    took.push(performance.now() - started);
    console.log(`  ${what} ${i + 1}: ${ms(took.at(-1)!)}`);
  }
  return took;
}

installRuntime('WARN');
const dataDir = await mkdtemp(join(tmpdir(), 'recoil-bench-console-'));
const server = await startDevServer({ dataDir, port: await freePort(), headless: true });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, namespace: 'default' });
const worker = {
  connection: { address: server.address },
  namespace: 'default',
  taskQueue: 'bench-console',
  store: new LocalFolderStore(join(dataDir, 'artifacts')),
  providers: { local: createLocalProvider({ latencyMs: 3_600_000 }) },
  onStart: () => {},
};
const projectId = `bench-${Date.now()}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });

try {
  await runWorker(worker, async () => {
    const units = Array.from({ length: N }, (_, i) => benchUnit(projectId, i, { shotDurations: [3, 3], estimatedCostUsd: 0.5 }));
    const { handle } = await startOrFindEpisode(
      client,
      { projectId, episode: 'EP001', units, provider: 'local', maxParallel: 2, maxTakes: 3, autoRetakes: 0, budgetUsd: 1000, startedBy: 'bench' },
      'bench-console',
    );
    for (;;) {
      const rows = await readBoard(client, connection, { projectId, episode: 'EP001' });
      const answered = rows.filter((r) => r.status).length;
      console.log(`waiting for the episode: ${rows.length} of ${N} sequences started, ${answered} answer their status query`);
      if (rows.length === N && answered === N) break;
      await sleep(2000);
    }
    const running = await startConsole({ client, connection, namespace: 'default', store: new LocalFolderStore(join(dataDir, 'artifacts')), port: 0, defaultUser: 'bench' });
    try {
      const board = `${running.url}/p/${projectId}/EP001/board`;
      const cold = await timeBoard('Board, no tab open', board, 3);

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const [deciding, watching] = [await context.newPage(), await context.newPage()];
      await deciding.goto(board);
      await watching.goto(board);
      await watching.locator('#live-state.on').waitFor();
      const warm = await timeBoard('Board, a tab open', board, 10);

      // The workflow's answer (a Workflow Update) and the console's part (reader, SSE, redraw) apart.
      const answered: number[] = [];
      const seen: number[] = [];
      const shown: number[] = [];
      for (let i = 1; i <= ROUNDS; i++) {
        const budget = 1000 + i;
        await deciding.locator('form.budget input[name=budgetUsd]').fill(String(budget));
        const started = performance.now();
        const answer = deciding.waitForResponse((r) => r.url().endsWith('/budget'), { timeout: 60_000 }).then(() => performance.now());
        await deciding.locator('form.budget button').click();
        await watching.locator('#money', { hasText: `$${budget}.00` }).waitFor({ timeout: 60_000 });
        const done = performance.now();
        const answeredAt = await answer;
        answered.push(answeredAt - started);
        seen.push(done - started);
        shown.push(done - answeredAt);
        console.log(`  budget change ${i}: answered after ${ms(answered.at(-1)!)}, seen in the other tab after ${ms(seen.at(-1)!)} (${ms(shown.at(-1)!)} after the answer)`);
      }
      console.log(`episode of ${N} sequences on a real dev server; console and two Chromium tabs`);
      console.log(`Board, no tab open (a full read per request): median ${ms(median(cold))} of 3`);
      console.log(`Board, a tab open (the episode's reader is warm): median ${ms(median(warm))} of 10   target ≤ 1000 ms`);
      console.log(`a budget change in one tab seen in the other: median ${ms(median(seen))}, p95 ${ms(p95(seen))} of ${ROUNDS}   target p95 ≤ 1000 ms`);
      console.log(`  of which the workflow's answer: median ${ms(median(answered))}, p95 ${ms(p95(answered))}; the console after it: median ${ms(median(shown))}, p95 ${ms(p95(shown))}`);
    } finally {
      await running.close();
      await handle.terminate('bench over');
    }
  });
} finally {
  await browser.close();
  await connection.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
