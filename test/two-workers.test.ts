import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import type { EpisodeInput } from '../src/contract/episode.js';
import { approveSignal, statusQuery } from '../src/contract/sequence.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import { startFalFake, type FalFake } from './fakes/fal-fake.js';
import { readEveryTakeJson } from './helpers/take-json.js';
import { makeUnit } from './helpers/units.js';
import { WorkerProcess } from './helpers/worker-process.js';

const FAL_KEY = `fal-two-workers-${randomUUID()}`;
const FAL_ADMIN_KEY = `fal-two-workers-admin-${randomUUID()}`;
const LATENCY_MS = 3_000;
const ACCOUNT_LIMIT = 4;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

let fake: FalFake;
let connection: Connection;
let client: Client;
beforeAll(async () => {
  fake = await startFalFake({ key: FAL_KEY, adminKey: FAL_ADMIN_KEY, latencyMs: LATENCY_MS });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await fake?.close();
});

describe('two workers on one task queue', () => {
  it('share an episode, and when one is SIGKILLed mid-take the other finishes its work, paying once per take', { timeout: 420_000 }, async () => {
    const taskQueue = `two-workers-${randomUUID()}`;
    const env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RECOIL_TASK_QUEUE: taskQueue,
      // What several workers must share: one artifacts root.
      RECOIL_ARTIFACTS_DIR: await mkdtemp(join(tmpdir(), 'recoil-two-workers-')),
      RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      FAL_KEY,
      // A kill mid-submission is settled from fal's records, on clocks shortened for the test.
      FAL_ADMIN_KEY,
      RECOIL_FAL_LONGEST_RUN_SEC: String((LATENCY_MS / 1_000) * 5),
      RECOIL_FAL_RECORDS_LAG_SEC: '1',
      RECOIL_FAL_BASE_URL: fake.baseUrl,
      RECOIL_FAL_CONCURRENCY: String(ACCOUNT_LIMIT),
    };
    const workers = [new WorkerProcess(env), new WorkerProcess(env)];
    workers.forEach((w) => w.start());
    try {
      const projectId = `two-${randomUUID().slice(0, 8)}`;
      // Lengths that differ: takes cut off together by the kill are told apart by what fal billed.
      const units = Array.from({ length: 8 }, (_, i) => {
        const unit = makeUnit({ projectId, sequenceId: `SEQ0${i + 1}`, durations: [3, 3 + i] });
        const prompt = `${projectId} ${unit.sequenceId}`;
        unit.shots[0] = { ...unit.shots[0]!, prompt, providerPrompt: prompt };
        return unit;
      });
      const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'fal', maxParallel: 4, maxTakes: 3, autoRetakes: 0, budgetUsd: 50, heartbeatTimeoutSec: 3, recordsCheckEverySec: 1, startedBy: 'test' };
      const { handle } = await startOrFindEpisode(client, input, taskQueue);

      const victim = await workerWithPaidWork(units.map((u) => sequenceWorkflowId(projectId, 'EP001', u.sequenceId)), workers);
      // Any moment of its paid work: submitting (fal may or may not have the job yet), or waiting on fal.
      await sleep(Math.random() * LATENCY_MS);
      await victim.worker.kill();

      await approveEverySequence(input);
      const summary = await handle.result();
      expect(summary.approved.sort()).toEqual(units.map((u) => u.sequenceId));
      // The killed worker's take was resumed or settled, never paid twice: one billed job per sequence,
      // and each is the request id of exactly one take.
      for (const unit of units) expect(fake.submissions.get(unit.shots[0]!.prompt), unit.sequenceId).toBe(1);
      const takes = await readEveryTakeJson(env.RECOIL_ARTIFACTS_DIR);
      const billed = fake.billingEvents.filter((e) => String(fake.jobs.get(e.request_id)?.body.multi_prompt[0].prompt).startsWith(projectId));
      expect(billed).toHaveLength(units.length);
      for (const event of billed) expect(takes.filter((t) => t.requestId === event.request_id)).toHaveLength(1);
      const settled = takes.filter((t) => t.recovered || t.resubmissions).map((t) => `${t.sequenceId}: ${t.recovered ? 'adopted from fal\'s records' : 'submitted again'}`);
      console.log(`the kill ${settled.length ? `cut off a submission (${settled.join(', ')})` : 'landed outside a submission'}`);
      const mine = new Set([...fake.jobs.values()].filter((j) => String(j.body.multi_prompt[0].prompt).startsWith(projectId)).map((j) => j.requestId));
      expect(fake.maxInFlight((id) => mine.has(id))).toBeLessThanOrEqual(ACCOUNT_LIMIT);
      // The victim is never started again: the survivor alone finished what it had left.
      expect(victim.worker.kills).toBe(1);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});

/** A worker process running paid work (submitting or awaiting a take) for one of these sequences right now. */
async function workerWithPaidWork(workflowIds: string[], workers: WorkerProcess[]): Promise<{ worker: WorkerProcess }> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    for (const id of workflowIds) {
      const description = await client.workflow.getHandle(id).describe().catch(() => undefined);
      for (const pending of description?.raw.pendingActivities ?? []) {
        const identity = pending.lastWorkerIdentity ?? '';
        const worker = workers.find((w) => w.pid !== undefined && identity.startsWith(`${w.pid}@`));
        const paid = ['submitTake', 'awaitProviderJob'].includes(pending.activityType?.name ?? '');
        if (worker && paid && pending.state === STARTED) return { worker };
      }
    }
    await sleep(50);
  }
  throw new Error('no worker was seen doing paid work');
}

async function approveEverySequence(input: EpisodeInput): Promise<void> {
  const approved = new Set<string>();
  const deadline = Date.now() + 360_000; // room for a heavily loaded machine: each take is rendered, probed and judged by ffmpeg
  while (approved.size < input.units.length) {
    if (Date.now() > deadline) {
      const stuck = input.units.filter((u) => !approved.has(u.sequenceId));
      const states = await Promise.all(
        stuck.map((u) =>
          client.workflow
            .getHandle(sequenceWorkflowId(input.projectId, input.episode, u.sequenceId))
            .query(statusQuery)
            .then((st) => `${u.sequenceId}: ${st.state} ${st.waitingFor ?? ''} ${st.failure ?? ''}`)
            .catch((err: Error) => `${u.sequenceId}: ${err.message}`),
        ),
      );
      throw new Error(`only ${approved.size} of ${input.units.length} approved in time; ${states.join('; ')}`);
    }
    for (const unit of input.units) {
      if (approved.has(unit.sequenceId)) continue;
      const seq = client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, unit.sequenceId));
      const status = await seq.query(statusQuery).catch(() => undefined);
      if (status?.state !== 'video_complete') continue;
      await seq.signal(approveSignal, { take: status.takes.at(-1)!.take, by: 'test' });
      approved.add(unit.sequenceId);
    }
    await sleep(200);
  }
}
