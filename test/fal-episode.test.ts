import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { probeVideo } from '../src/activities/media/probe.js';
import { actAsProducer, throughTemporal } from '../src/client/producer.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { episodeWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import type { EpisodeInput } from '../src/contract/episode.js';
import type { SequenceStatus } from '../src/contract/sequence.js';
import { videoCostUsd } from '../src/domain/price-table.js';
import { startFalFake } from './fakes/fal-fake.js';
import { shippedPricing } from './helpers/pricing.js';
import { readEveryTakeJson } from './helpers/take-json.js';
import { makeUnit } from './helpers/units.js';
import { WorkerProcess } from './helpers/worker-process.js';

const PRICING = await shippedPricing();
const FAL_KEY = `fal-test-${randomUUID()}`;
const FAL_ADMIN_KEY = `fal-admin-${randomUUID()}`;
let fake: Awaited<ReturnType<typeof startFalFake>>;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  fake = await startFalFake({ key: FAL_KEY, adminKey: FAL_ADMIN_KEY });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await fake?.close();
});

/** The producer approves finished takes and retakes any that failed (e.g. a submission that could not be confirmed). */
function produce(input: EpisodeInput): Promise<SequenceStatus[]> {
  const sequenceIds = input.units.map((u) => u.sequenceId);
  let lastReport = Date.now();
  return actAsProducer({
    projectId: input.projectId,
    episode: input.episode,
    sequenceIds,
    policy: { by: 'producer', quadrant: 1, retakeFailed: true },
    ...throughTemporal(client, input.projectId, input.episode, sequenceIds),
    // A line every 15 s, so a run that never finishes shows where each sequence was stuck.
    everyRound: (statuses) => {
      if (Date.now() - lastReport < 15_000) return;
      lastReport = Date.now();
      console.log(statuses.map((s) => s && `${s.sequenceId}:${s.state}:${s.takes.map((t) => t.state).join(',')}:${s.failure ?? ''}`).join(' | '));
    },
  });
}

describe('an episode on fal (against the fake), with the worker killed again and again', () => {
  it('finishes every sequence, pays once per take, and never leaks the key', { timeout: 180_000 }, async () => {
    const artifacts = await mkdtemp(join(tmpdir(), 'recoil-fal-'));
    const taskQueue = `fal-${randomUUID()}`;
    const worker = new WorkerProcess({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RECOIL_TASK_QUEUE: taskQueue,
      RECOIL_ARTIFACTS_DIR: artifacts,
      RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      FAL_KEY,
      // A kill mid-submission is settled from fal's records, on clocks shortened for the test.
      FAL_ADMIN_KEY,
      RECOIL_FAL_LONGEST_RUN_SEC: '5',
      RECOIL_FAL_RECORDS_LAG_SEC: '1',
      RECOIL_FAL_BASE_URL: fake.baseUrl,
      RECOIL_FAL_POLL_MS: '250',
    });
    const projectId = `fal-${randomUUID().slice(0, 8)}`;
    // Lengths that differ: two submissions cut off by one kill are told apart by what fal billed.
    const units = ['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04'].map((sequenceId, i) => {
      const unit = makeUnit({ projectId, sequenceId, durations: [3, 3 + i] });
      unit.shots[0] = { ...unit.shots[0]!, prompt: `${projectId} ${sequenceId} [fake:slow_queue_${4 + i}]`, providerPrompt: `${projectId} ${sequenceId} [fake:slow_queue_${4 + i}]` };
      return unit;
    });
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'fal', maxParallel: 2, maxTakes: 5, autoRetakes: 0, budgetUsd: 20, heartbeatTimeoutSec: 3, recordsCheckEverySec: 1, startedBy: 'test' };

    worker.start();
    const { handle } = await startOrFindEpisode(client, input, taskQueue);
    const producer = produce(input);
    // Crash the worker at random moments while takes are being submitted and awaited.
    while (worker.kills < 5) {
      await sleep(800 + Math.random() * 2200);
      await worker.kill();
      worker.start();
    }
    const finals = await producer;
    const summary = await handle.result();
    await worker.stop();

    const takes = await readEveryTakeJson(artifacts);
    const paidRequests = takes.map((m) => m.requestId).filter((id): id is string => Boolean(id));
    const accepted = [...fake.submissions.entries()].filter(([prompt]) => prompt.startsWith(projectId));
    const acceptedCount = accepted.reduce((sum, [, n]) => sum + n, 0);
    console.log(`chaos: ${worker.kills} worker kills; ${takes.length} takes; fake accepted ${acceptedCount} submissions for ${paidRequests.length} recorded request ids`);

    expect(worker.kills).toBeGreaterThanOrEqual(5);
    expect(worker.output).toContain(`workflows: prebuilt bundle ${inject('workflowBundlePath')}`);
    expect(summary.approved.sort()).toEqual(['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04']);
    // Exactly one paid submission per take that has a request id, and none the pipeline does not know about.
    expect(acceptedCount).toBe(paidRequests.length);
    expect(new Set(paidRequests).size).toBe(paidRequests.length);
    for (const id of paidRequests) expect(fake.jobs.has(id)).toBe(true);
    // Every job fal billed is exactly one take's: none paid twice, none lost.
    const billed = fake.billingEvents.filter((e) => fake.jobs.get(e.request_id)?.body.multi_prompt[0].prompt.startsWith(projectId)).map((e) => e.request_id);
    expect(new Set(billed).size).toBe(billed.length);
    for (const id of billed) expect(paidRequests).toContain(id);
    for (const status of finals) {
      const approved = status.takes.find((t) => t.take === status.approvedTake)!;
      const manifest = takes.find((m) => m.sequenceId === status.sequenceId && m.take === approved.take)!;
      const unit = units.find((u) => u.sequenceId === status.sequenceId)!;
      const price = videoCostUsd(PRICING.table, unit.model, unit.totalDurationSec, unit.generateAudio);
      expect(manifest).toMatchObject({ status: 'complete', provider: 'fal', requestId: expect.any(String), actualCostUsd: price });
      const video = await probeVideo(approved.videoPath!);
      expect(video).toMatchObject({ width: 1280, height: 720 });
      expect(Math.abs(video.durationSec - unit.totalDurationSec)).toBeLessThanOrEqual(0.5);
    }
    expect(summary.spentUsd).toBeLessThanOrEqual(20);

    // The key lives only in the worker's environment: not in history, logs or anything on disk.
    const histories = await Promise.all(
      [episodeWorkflowId(projectId, 'EP001'), ...units.map((u) => sequenceWorkflowId(projectId, 'EP001', u.sequenceId))].map(async (id) =>
        JSON.stringify(await client.workflow.getHandle(id).fetchHistory()),
      ),
    );
    for (const secret of [FAL_KEY, FAL_ADMIN_KEY]) {
      for (const history of histories) expect(history).not.toContain(secret);
      expect(worker.output).not.toContain(secret);
      for (const file of await readdir(artifacts, { recursive: true })) {
        if (/\.(json|txt|log)$/.test(file)) expect(await readFile(join(artifacts, file), 'utf8')).not.toContain(secret);
      }
    }
    expect(fake.requests.length).toBeGreaterThan(0);
  });
});
