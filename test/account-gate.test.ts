import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFalProvider } from '../src/activities/providers/fal/fal-provider.js';
import { readAccountGates, renderAccountGate } from '../src/client/read-account-gates.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { accountGateQuery, claimAccountSlotUpdate, releaseAccountSlotSignal } from '../src/contract/account-gate.js';
import type { EpisodeInput } from '../src/contract/episode.js';
import { approveSignal, statusQuery } from '../src/contract/sequence.js';
import { accountGateWorkflowId, episodeWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import { runWorker } from '../src/worker/run-worker.js';
import { installRuntime } from '../src/worker/runtime.js';
import { startFalFake, type FalFake } from './fakes/fal-fake.js';
import { shippedPricing } from './helpers/pricing.js';
import { readEveryTakeJson } from './helpers/take-json.js';
import { makeUnit } from './helpers/units.js';
import { WorkerProcess } from './helpers/worker-process.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

installRuntime('WARN');

const FAL_KEY = `fal-gate-${randomUUID()}`;
const FAL_ADMIN_KEY = `fal-gate-admin-${randomUUID()}`;
const PRICING = await shippedPricing();
const LATENCY_MS = 2_000;

let fake: FalFake;
let connection: Connection;
let client: Client;
beforeAll(async () => {
  // The fake itself does not limit the account: the cap that holds is ours.
  fake = await startFalFake({ key: FAL_KEY, adminKey: FAL_ADMIN_KEY, latencyMs: LATENCY_MS });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await fake?.close();
});

/** An in-process worker on its own task queue whose fal account allows `limit` jobs at once. */
async function startWorker(limit: number, taskQueue = `gate-${randomUUID()}`): Promise<{ taskQueue: string; stop: () => Promise<void> }> {
  const artifactsRoot = await mkdtemp(join(tmpdir(), 'recoil-gate-'));
  let stopWorker!: () => void;
  const stopped = new Promise<void>((resolve) => (stopWorker = resolve));
  let polling!: () => void;
  const started = new Promise<void>((resolve) => (polling = resolve));
  const running = runWorker(
    {
      connection: { address: inject('temporalAddress') },
      namespace: 'default',
      taskQueue,
      store: new LocalFolderStore(artifactsRoot),
      providers: { fal: createFalProvider({ credentials: FAL_KEY, baseUrl: fake.baseUrl, uploadCacheDir: artifactsRoot, prices: PRICING.table }) },
      accountLimits: { fal: limit },
      accountGateCheckHoldersEverySec: 1,
      workflows: { options: { workflowBundle: { codePath: inject('workflowBundlePath') } }, description: "the suite's bundle" },
      onStart: () => polling(),
    },
    () => stopped,
  );
  await Promise.race([started, running]);
  return {
    taskQueue,
    async stop() {
      stopWorker();
      await running;
    },
  };
}

function episodeOf(sequences: number, maxParallel: number): EpisodeInput {
  const projectId = `gate-${randomUUID().slice(0, 8)}`;
  const units = Array.from({ length: sequences }, (_, i) => {
    const unit = makeUnit({ projectId, sequenceId: `SEQ0${i + 1}`, durations: [3, 3] });
    // The fake knows a job by its first prompt: make it name the project, so the log can be filtered.
    unit.shots[0] = { ...unit.shots[0]!, prompt: `${projectId} ${unit.sequenceId}`, providerPrompt: `${projectId} ${unit.sequenceId}` };
    return unit;
  });
  return { projectId, episode: 'EP001', units, provider: 'fal', maxParallel, maxTakes: 2, autoRetakes: 0, budgetUsd: 50, heartbeatTimeoutSec: 3, recordsCheckEverySec: 1, startedBy: 'test' };
}

/** Approves each sequence as soon as its take is ready; resolves when every one is approved. */
async function approveAll(input: EpisodeInput, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const approved = new Set<string>();
  while (approved.size < input.units.length) {
    if (Date.now() > deadline) throw new Error(`only ${[...approved].join(', ') || 'none'} of ${input.projectId} approved in time; ${await describeStuck(input, approved)}`);
    for (const unit of input.units) {
      if (approved.has(unit.sequenceId)) continue;
      const handle = client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, unit.sequenceId));
      const status = await handle.query(statusQuery).catch(() => undefined);
      if (status?.state !== 'video_complete') continue;
      await handle.signal(approveSignal, { take: status.takes.at(-1)!.take, by: 'test' });
      approved.add(unit.sequenceId);
    }
    await sleep(200);
  }
}

async function describeStuck(input: EpisodeInput, approved: Set<string>): Promise<string> {
  const stuck = input.units.filter((u) => !approved.has(u.sequenceId));
  const states = await Promise.all(
    stuck.map(async (u) => {
      const status = await client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, u.sequenceId)).query(statusQuery).catch((err: Error) => err.message);
      return typeof status === 'string' ? `${u.sequenceId}: ${status}` : `${u.sequenceId}: ${status.state} ${status.waitingFor ?? ''} ${status.failure ?? ''}`;
    }),
  );
  return states.join('; ');
}

/** The fake's jobs for these projects, by request id. */
function jobsOf(...inputs: EpisodeInput[]): Set<string> {
  return jobsAt(fake, ...inputs);
}

function jobsAt(account: FalFake, ...inputs: EpisodeInput[]): Set<string> {
  const prefixes = inputs.map((i) => `${i.projectId} `);
  const prompt = (body: any): string => body?.multi_prompt?.[0]?.prompt ?? '';
  return new Set([...account.jobs.values()].filter((job) => prefixes.some((p) => prompt(job.body).startsWith(p))).map((job) => job.requestId));
}

describe('one fal account shared by every episode', () => {
  it('never has more jobs at fal than the account allows, across two episodes that each allow two', { timeout: 180_000 }, async () => {
    const { taskQueue, stop } = await startWorker(3);
    try {
      const first = episodeOf(4, 2);
      const second = episodeOf(4, 2);
      await Promise.all([startOrFindEpisode(client, first, taskQueue), startOrFindEpisode(client, second, taskQueue)]);
      // What `recoil status` shows about the account while both episodes run.
      const shown: string[] = [];
      let watching = true;
      const watch = (async () => {
        while (watching) {
          shown.push(...(await readAccountGates(client, connection, taskQueue)).map(renderAccountGate));
          await sleep(250);
        }
      })();
      await Promise.all([approveAll(first), approveAll(second)]);
      watching = false;
      await watch;
      expect(shown.some((text) => /^fal account: 3 of 3 jobs in flight, [1-9]\d* waiting/.test(text) && /waiting {2}1\. gate-\S+ EP001 SEQ0\d take 1/.test(text))).toBe(true);

      const mine = jobsOf(first, second);
      expect(mine.size).toBe(8);
      // Four could run if each episode only kept to its own limit; the account allows three.
      expect(fake.maxInFlight((id) => mine.has(id))).toBe(3);
      const gate = await client.workflow.getHandle(accountGateWorkflowId('fal', taskQueue)).query(accountGateQuery);
      expect(gate).toMatchObject({ capacity: 3, holding: [], waiting: [] });
    } finally {
      await stop();
    }
  });

  it('grants a free slot in the claim\'s answer, puts a claim on a full account in line, and refuses a malformed one', { timeout: 60_000 }, async () => {
    const { taskQueue, stop } = await startWorker(1);
    // Holders must be running workflows, or the gate frees what it grants them: two idle gates of other accounts serve.
    const holders = await Promise.all(
      ['first', 'second'].map((name) =>
        client.workflow.start('accountGateWorkflow', { workflowId: `holder-${name}-${randomUUID()}`, taskQueue, args: [{ account: name, state: { capacity: 1, holding: [], waiting: [] } }] }),
      ),
    );
    const gateId = accountGateWorkflowId('fal', `direct-${randomUUID()}`);
    const claim = (holder: string, ticket: string) =>
      client.workflow.executeUpdateWithStart(claimAccountSlotUpdate, {
        args: [{ holder, ticket, label: `${holder} ${ticket}`, askedAt: new Date().toISOString(), capacity: 1 }],
        startWorkflowOperation: new WithStartWorkflowOperation('accountGateWorkflow', {
          workflowId: gateId,
          taskQueue,
          args: [{ account: 'fal', state: { capacity: 1, holding: [], waiting: [] } }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
    try {
      const [first, second] = holders.map((h) => h.workflowId) as [string, string];
      expect(await claim(first, 'take-1')).toEqual({ granted: true });
      // A retried claim (the worker died before hearing the answer) keeps its slot, not a second one.
      expect(await claim(first, 'take-1')).toEqual({ granted: true });
      expect(await claim(second, 'take-1')).toEqual({ granted: false });
      const gate = client.workflow.getHandle(gateId);
      expect(await gate.query(accountGateQuery)).toMatchObject({ holding: [{ holder: first }], waiting: [{ holder: second }] });
      await expect(gate.executeUpdate(claimAccountSlotUpdate, { args: [{ holder: 7 } as never] })).rejects.toThrow(WorkflowUpdateFailedError);
      await gate.signal(releaseAccountSlotSignal, { holder: first, ticket: 'take-1' });
      const after = await until(async () => {
        const s = await gate.query(accountGateQuery);
        return s.holding.some((c) => c.holder === second) ? s : undefined;
      });
      expect(after).toMatchObject({ holding: [{ holder: second }], waiting: [] });
    } finally {
      await Promise.all([...holders.map((h) => h.terminate('test done')), client.workflow.getHandle(gateId).terminate('test done')]);
      await stop();
    }
  });

  it('frees the slot of a holder that was terminated, for the next in line', { timeout: 120_000 }, async () => {
    const { taskQueue, stop } = await startWorker(1);
    try {
      const input = episodeOf(2, 2);
      await startOrFindEpisode(client, input, taskQueue);
      const gate = client.workflow.getHandle(accountGateWorkflowId('fal', taskQueue));
      const state = await until(async () => {
        const s = await gate.query(accountGateQuery).catch(() => undefined);
        return s && s.holding.length === 1 && s.waiting.length === 1 ? s : undefined;
      });
      const [holder] = state.holding;
      await client.workflow.getHandle(holder!.holder).terminate('test: a holder that vanishes');
      const waiter = state.waiting[0]!;
      const after = await until(async () => {
        const s = await gate.query(accountGateQuery);
        return s.holding.some((c) => c.holder === waiter.holder) ? s : undefined;
      });
      expect(after.holding.map((c) => c.holder)).toEqual([waiter.holder]);
      await client.workflow.getHandle(episodeWorkflowId(input.projectId, 'EP001')).terminate('test done');
      await client.workflow.getHandle(waiter.holder).terminate('test done');
    } finally {
      await stop();
    }
  });

  it('loses no slot when the worker holding one is killed: the job resumes and frees it', { timeout: 180_000 }, async () => {
    const taskQueue = `gate-kill-${randomUUID()}`;
    const artifacts = await mkdtemp(join(tmpdir(), 'recoil-gate-kill-'));
    // An account of its own: the other tests' jobs, billed moments ago with the same length, would
    // make a cut-off take's job impossible to tell apart (and rightly leave it to a person).
    const account = await startFalFake({ key: FAL_KEY, adminKey: FAL_ADMIN_KEY, latencyMs: LATENCY_MS });
    const worker = new WorkerProcess({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RECOIL_TASK_QUEUE: taskQueue,
      RECOIL_ARTIFACTS_DIR: artifacts,
      RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      FAL_KEY,
      // A kill mid-submission is settled from fal's records, on clocks shortened for the test.
      FAL_ADMIN_KEY,
      RECOIL_FAL_LONGEST_RUN_SEC: String((LATENCY_MS / 1_000) * 5),
      RECOIL_FAL_RECORDS_LAG_SEC: '1',
      RECOIL_FAL_BASE_URL: account.baseUrl,
      RECOIL_FAL_CONCURRENCY: '1',
    });
    worker.start();
    try {
      const input = episodeOf(3, 3);
      await startOrFindEpisode(client, input, taskQueue);
      const gate = client.workflow.getHandle(accountGateWorkflowId('fal', taskQueue));
      await until(async () => {
        const s = await gate.query(accountGateQuery).catch(() => undefined);
        return s && s.holding.length === 1 ? s : undefined;
      });
      // Any moment while the slot is held: before the submission, during it, or while fal runs the job.
      await sleep(Math.random() * LATENCY_MS);
      await worker.kill();
      worker.start();
      // With one slot, a leaked one would leave the other two sequences waiting for ever.
      await approveAll(input);
      const mine = jobsAt(account, input);
      expect(mine.size).toBe(3);
      expect(account.maxInFlight((id) => mine.has(id))).toBe(1);
      const takes = await readEveryTakeJson(artifacts);
      for (const id of mine) expect(takes.filter((t) => t.requestId === id)).toHaveLength(1);
      const settled = takes.filter((t) => t.recovered || t.resubmissions).map((t) => `${t.sequenceId}: ${t.recovered ? 'adopted from fal\'s records' : 'submitted again'}`);
      console.log(`the kill ${settled.length ? `cut off a submission (${settled.join(', ')})` : 'landed outside a submission'}`);
      expect(await gate.query(accountGateQuery)).toMatchObject({ holding: [], waiting: [] });
    } finally {
      await worker.stop();
      await account.close();
    }
  });
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the condition never held');
    await sleep(100);
  }
}
