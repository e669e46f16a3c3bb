import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDelivery } from '../src/activities/delivery/build-delivery.js';
import type { DeliveryManifest } from '../src/store/delivery/delivery-manifest.js';
import { RECONCILE_SCHEDULE_ID } from '../src/contract/billing.js';
import { episodeStatusQuery, type EpisodeInput } from '../src/contract/episode.js';
import { statusQuery, type SequenceStatus } from '../src/contract/sequence.js';
import { decideOnSequence } from '../src/review/decisions.js';
import { startConsole } from '../src/console/server.js';
import { ensureReconcileSchedule } from '../src/client/reconcile-schedule.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { episodeWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import { MODELS } from '../src/domain/models.js';
import { roundUsd } from '../src/domain/price-table.js';
import { startFalFake } from './fakes/fal-fake.js';
import { makeProject } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { readTakeJsonOf } from './helpers/take-json.js';
import { takeDir } from '../src/store/takes/take-folders.js';
import { readTakeBilling } from '../src/store/takes/take-manifest.js';
import { makeUnit } from './helpers/units.js';
import { WorkerProcess } from './helpers/worker-process.js';
import { launchBrowser, reviewerContext, screenshot } from './helpers/browser.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const DOCS = fileURLToPath(new URL('../docs', import.meta.url));
const FAL_KEY = `fal-test-${randomUUID()}`;
const FAL_ADMIN_KEY = `fal-admin-${randomUUID()}`;
const STANDARD = MODELS['kling-o3'].endpoint;
/** fal's price for this account: not the price table's 0.084, and 10 % off on top. */
const FAL_RATE = 0.1;
const DISCOUNT = 10;
let fake: Awaited<ReturnType<typeof startFalFake>>;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  fake = await startFalFake({ key: FAL_KEY, adminKey: FAL_ADMIN_KEY, percentDiscount: DISCOUNT, unitPrices: { [STANDARD]: { silent: FAL_RATE, audio: 0.14 } } });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await fake?.close();
});

/** A job sent to the same fal account by something that is not this pipeline: billed, claimed by no take. */
async function orphanJob(): Promise<string> {
  const headers = { authorization: `Key ${FAL_KEY}`, 'content-type': 'application/json' };
  const body = { multi_prompt: [{ prompt: 'a stray script', duration: '3' }, { prompt: 'its second shot', duration: '4' }], duration: '7', shot_type: 'customize', aspect_ratio: '16:9' };
  const submitted = (await (await fetch(`${fake.baseUrl}/queue.fal.run/${STANDARD}`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as { request_id: string };
  await expect.poll(async () => {
    await fetch(`${fake.baseUrl}/queue.fal.run/fal-ai/kling-video/requests/${submitted.request_id}/status`, { headers });
    return fake.billingEvents.some((e) => e.request_id === submitted.request_id);
  }).toBe(true);
  return submitted.request_id;
}

describe("reconciling with fal's bill", () => {
  it('gives every take fal\'s billed cost, settles a failed call as not charged, and shows the orphaned job as an unclaimed charge', { timeout: 300_000 }, async () => {
    const artifacts = await mkdtemp(join(tmpdir(), 'recoil-reconcile-'));
    const taskQueue = `reconcile-${randomUUID()}`;
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), RECOIL_TASK_QUEUE: taskQueue, RECOIL_ARTIFACTS_DIR: artifacts };
    const worker = new WorkerProcess({
      ...env,
      RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      FAL_KEY,
      FAL_ADMIN_KEY,
      RECOIL_FAL_LONGEST_RUN_SEC: '3',
      RECOIL_FAL_RECORDS_LAG_SEC: '1',
      RECOIL_FAL_BASE_URL: fake.baseUrl,
      RECOIL_FAL_POLL_MS: '250',
    });
    const projectId = `bill-${randomUUID().slice(0, 8)}`;
    const prompts = { SEQ01: 'a van at dawn', SEQ02: 'the driver looks back', SEQ03: 'refused [fake:content_policy]' };
    const units = Object.entries(prompts).map(([sequenceId, prompt], i) => {
      const unit = makeUnit({ projectId, sequenceId, durations: [3, 3 + i] });
      unit.shots[0] = { ...unit.shots[0]!, prompt, providerPrompt: prompt };
      return unit;
    });
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'fal', maxParallel: 3, maxTakes: 3, autoRetakes: 0, heartbeatTimeoutSec: 3, startedBy: 'test' };
    worker.start();
    try {
      await startOrFindEpisode(client, input, taskQueue);
      const statusOf = (sequenceId: string) => client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', sequenceId)).query(statusQuery);
      await expect.poll(async () => Promise.all(units.map(async (u) => (await statusOf(u.sequenceId)).state)), { timeout: 120_000 }).toEqual(['video_complete', 'video_complete', 'failed']);
      const orphan = await orphanJob();
      // The refused take's job can no longer be billed once its longest run and the records' lag have passed.
      await new Promise((r) => setTimeout(r, 5_000));

      const reconciled = await runCli(['reconcile', '--since', '1h'], env);
      expect(reconciled.stderr).toBe('');
      expect(reconciled.code).toBe(0);
      expect(reconciled.stdout).toContain('not charged');
      expect(reconciled.stdout).toContain(orphan);
      expect(reconciled.stdout).toMatch(/kling-o3 costs \$0\.084\/s without audio; fal charges this account \$0\.1\/seconds/);

      // billing.json beside take.json: fal's billed cost (its rate, less the discount) beside the price table's figure.
      const billedOf = (seconds: number) => roundUsd(seconds * FAL_RATE * (1 - DISCOUNT / 100));
      const refs = units.map((u) => ({ projectId, episode: 'EP001', sequenceId: u.sequenceId, take: 1 }));
      const takes = await Promise.all(refs.map((ref) => readTakeJsonOf(artifacts, ref)));
      const bills = await Promise.all(refs.map((ref) => readTakeBilling(new LocalFolderStore(artifacts), takeDir(artifacts, ref))));
      expect(takes[0]).toMatchObject({ status: 'complete', actualCostUsd: roundUsd(6 * 0.084) });
      expect(bills[0]).toMatchObject({ state: 'billed', usd: billedOf(6), requestId: takes[0]!.requestId });
      expect(bills[1]).toMatchObject({ state: 'billed', usd: billedOf(7), requestId: takes[1]!.requestId });
      // fal finished the job and then refused it: counted at its price until fal's records said otherwise.
      expect(takes[2]).toMatchObject({ status: 'failed', actualCostUsd: roundUsd(8 * 0.084) });
      expect(bills[2]).toMatchObject({ state: 'not_charged', usd: 0, requestId: takes[2]!.requestId });

      // The running episode and its sequences count fal's figures from now on.
      const billedTotal = roundUsd(billedOf(6) + billedOf(7));
      const episode = client.workflow.getHandle(episodeWorkflowId(projectId, 'EP001'));
      await expect.poll(async () => (await episode.query(episodeStatusQuery)).spentUsd).toBe(billedTotal);
      await expect.poll(async () => (await statusOf('SEQ01')).takes[0]?.billedUsd).toBe(billedOf(6));
      expect(((await statusOf('SEQ03')) as SequenceStatus).spentUsd).toBe(0);

      // A second reading changes nothing and keeps the charge no take claims.
      const again = await runCli(['reconcile', '--json'], env);
      expect(again.code).toBe(0);
      const report = JSON.parse(again.stdout) as { reconciled: unknown[]; unclaimed: { requestId: string; usd: number }[] };
      expect(report.reconciled).toEqual([]);
      expect(report.unclaimed).toEqual([expect.objectContaining({ requestId: orphan, usd: billedOf(7) })]);

      const budget = await runCli(['budget', projectId, 'EP001'], env);
      expect(budget.code).toBe(0);
      expect(budget.stdout).toContain(`spent $${billedTotal.toFixed(2)}`);
      expect(budget.stdout).toContain(`billed $${billedTotal.toFixed(2)} · estimated $0.00`);
      expect(budget.stdout).toContain(orphan);
      const status = await runCli(['status', projectId, '--episode', 'EP001'], env);
      expect(status.stdout).toContain(orphan);

      const board = await startConsole({ client, connection, namespace: 'default', store: new LocalFolderStore(artifacts), port: 0 });
      try {
        const page = await (await fetch(`${board.url}/p/${projectId}/EP001/board`)).text();
        expect(page).toMatch(new RegExp(`<section class="lane unclaimed" id="unclaimed">[\\s\\S]*data-request-id="${orphan}"`));
        expect(page).toContain(`<b data-billed>$${billedTotal.toFixed(2)}</b>`);
        const history = await (await fetch(`${board.url}/p/${projectId}/EP001/s/SEQ01/history`)).text();
        expect(history).toContain(`request ${orphan} billed`);
        // As a producer sees it: the money bar and the unclaimed charge, in a real browser.
        const browser = await launchBrowser();
        try {
          const tab = await (await reviewerContext(browser)).newPage();
          await tab.goto(`${board.url}/p/${projectId}/EP001/board`);
          await expect.poll(() => tab.locator('#unclaimed tr[data-request-id]').count()).toBe(1);
          expect(await tab.locator('#money-billed').innerText()).toMatch(/billed by fal\s+\$\d+\.\d\d/);
          expect(await tab.locator('#money-outcome').innerText()).toMatch(/billed but discarded/);
          await screenshot(tab, DOCS, 'console-money');
        } finally {
          await browser.close();
        }
      } finally {
        await board.close();
      }

      // The delivery says how much of what the client paid fal billed.
      for (const sequenceId of ['SEQ01', 'SEQ02']) {
        expect(await decideOnSequence(client, { projectId, episode: 'EP001', sequenceId }, { kind: 'approve', take: 1 }, 'producer')).toMatchObject({ kind: 'accepted' });
        await expect.poll(async () => (await readTakeJsonOf(artifacts, { projectId, episode: 'EP001', sequenceId, take: 1 })).decisions.length).toBe(1);
      }
      const delivered = await buildDelivery(new LocalFolderStore(artifacts), { projectId, episode: 'EP001', sequences: [{ sequenceId: 'SEQ01' }, { sequenceId: 'SEQ02' }] });
      const manifest = JSON.parse(await readFile(join(delivered.dir, 'manifest.json'), 'utf8')) as DeliveryManifest;
      expect(manifest).toMatchObject({ totalSpendUsd: billedTotal, billedSpendUsd: billedTotal, estimatedSpendUsd: 0 });

      const estimate = await runCli(['estimate', await makeProject(), '--episode', 'EP001'], env);
      expect(estimate.code).toBe(0);
      expect(estimate.stdout).toMatch(/kling-o3 costs \$0\.084\/s without audio; fal charges this account \$0\.1/);
      await episode.terminate('test over');
    } finally {
      await worker.stop();
    }
  });

  it('runs every 15 minutes from the recoil-reconcile Schedule', { timeout: 120_000 }, async () => {
    const taskQueue = `reconcile-schedule-${randomUUID()}`;
    const worker = new WorkerProcess({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RECOIL_TASK_QUEUE: taskQueue,
      RECOIL_ARTIFACTS_DIR: await mkdtemp(join(tmpdir(), 'recoil-schedule-')),
      RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      FAL_KEY,
      FAL_ADMIN_KEY,
      RECOIL_FAL_BASE_URL: fake.baseUrl,
    });
    worker.start();
    try {
      // The server is shared by every test file: start from no schedule.
      await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).delete().catch(() => undefined);
      expect(await ensureReconcileSchedule(client, taskQueue)).toBe('created');
      expect(await ensureReconcileSchedule(client, taskQueue)).toBe('exists');
      const schedule = client.schedule.getHandle(RECONCILE_SCHEDULE_ID);
      const described = await schedule.describe();
      expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 15 * 60_000 })]);
      await schedule.trigger();
      await expect.poll(async () => (await schedule.describe()).info.recentActions.length, { timeout: 60_000 }).toBeGreaterThan(0);
      const run = (await schedule.describe()).info.recentActions[0]!.action;
      const result = (await client.workflow.getHandle(run.workflow.workflowId, run.workflow.firstExecutionRunId).result()) as { readable: boolean };
      expect(result.readable).toBe(true);
    } finally {
      await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).delete().catch(() => undefined);
      await worker.stop();
    }
  });
});
