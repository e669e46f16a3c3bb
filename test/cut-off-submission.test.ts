import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFalProvider } from '../src/activities/providers/fal/fal-provider.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import type { EpisodeInput } from '../src/contract/episode.js';
import { approveSignal, settleSubmissionSignal, statusQuery, type SequenceStatus } from '../src/contract/sequence.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';
import { startFalFake, type FalFake } from './fakes/fal-fake.js';
import { startHarness, waitForStatus, type Harness } from './helpers/harness.js';
import { shippedPricing } from './helpers/pricing.js';
import { readEveryTakeJson, readTakeJsonOf } from './helpers/take-json.js';
import { tempFolders } from './helpers/temp-folders.js';
import { makeUnit } from './helpers/units.js';
import { WorkerProcess } from './helpers/worker-process.js';

const PRICING = await shippedPricing();
const tempFolder = tempFolders('recoil-cut-off-');
const FAL_KEY = `fal-${randomUUID()}`;
const ADMIN_KEY = `fal-admin-${randomUUID()}`;

let fal: FalFake;
/** A worker that may read fal's billing records, with the rules' clocks shortened for the test. */
let withRecords: Harness;
/** A worker without an admin key: what the records cannot settle, a person does. */
let withoutRecords: Harness;

beforeAll(async () => {
  fal = await startFalFake({ key: FAL_KEY, adminKey: ADMIN_KEY });
  const common = { credentials: FAL_KEY, baseUrl: fal.baseUrl, pollIntervalMs: 100, prices: PRICING.table, submitTimeoutMs: 1_500 };
  withRecords = await startHarness({
    fal: createFalProvider({ ...common, uploadCacheDir: await tempFolder(), adminKey: ADMIN_KEY, settlement: { longestRunMs: 3_000, recordsLagMs: 1_000 } }),
  });
  withoutRecords = await startHarness({ fal: createFalProvider({ ...common, uploadCacheDir: await tempFolder() }) });
});
afterAll(async () => {
  await withRecords?.stop();
  await withoutRecords?.stop();
  await fal?.close();
});

function unitWithPrompt(tag: string, durations = [3, 3]): SequenceUnit {
  const unit = makeUnit({ projectId: `cut-${randomUUID().slice(0, 8)}`, durations });
  const prompt = `${tag} ${randomUUID()}`;
  unit.shots[0] = { ...unit.shots[0]!, prompt, providerPrompt: prompt };
  return unit;
}

async function start(h: Harness, unit: SequenceUnit) {
  const input = { projectId: unit.projectId, episode: unit.episode, units: [unit], provider: 'fal' as const, maxParallel: 2, maxTakes: 3, autoRetakes: 0, heartbeatTimeoutSec: 5, recordsCheckEverySec: 1, budgetUsd: 20, startedBy: 'test' };
  await startOrFindEpisode(h.client, input, h.taskQueue);
  return h.client.workflow.getHandle(sequenceWorkflowId(unit.projectId, unit.episode, unit.sequenceId));
}

const jobOf = (prompt: string) => [...fal.jobs.values()].find((j) => j.body.multi_prompt[0].prompt === prompt)!;
const firstPrompt = (unit: SequenceUnit) => unit.shots[0]!.prompt;

describe('a submission cut off before its request id came back', () => {
  it('is adopted from fal\'s billing records: one payment, the take complete, take.json says how', { timeout: 90_000 }, async () => {
    const unit = unitWithPrompt('Lost reply [fake:accepted_but_502]');
    const handle = await start(withRecords, unit);
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete', 60_000);
    const job = jobOf(firstPrompt(unit));
    expect(fal.submissions.get(firstPrompt(unit))).toBe(1);
    expect(done.takes).toMatchObject([{ take: 1, state: 'complete', requestId: job.requestId }]);
    expect(await readTakeJsonOf(withRecords.artifactsRoot, { ...unit, take: 1 })).toMatchObject({
      status: 'complete',
      requestId: job.requestId,
      recovered: { from: 'fal billing records', detail: expect.stringContaining(job.requestId) },
    });
    await handle.signal(approveSignal, { take: 1, by: 'director' });
    await handle.result();
  });

  it('is adopted when fal never answers at all (the submission times out)', { timeout: 90_000 }, async () => {
    const unit = unitWithPrompt('Never answered', [3, 4]);
    fal.hangNextSubmissions(1);
    const handle = await start(withRecords, unit);
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete', 60_000);
    expect(fal.submissions.get(firstPrompt(unit))).toBe(1);
    expect(done.takes[0]!.requestId).toBe(jobOf(firstPrompt(unit)).requestId);
    await handle.terminate('test done');
  });

  it('is submitted again, once, when fal never ran it', { timeout: 90_000 }, async () => {
    const unit = unitWithPrompt('Lost on the way', [4, 4]);
    fal.loseNextSubmissions(1);
    const handle = await start(withRecords, unit);
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete', 60_000);
    expect(fal.submissions.get(firstPrompt(unit))).toBe(1);
    const manifest = await readTakeJsonOf(withRecords.artifactsRoot, { ...unit, take: 1 });
    expect(manifest.resubmissions).toEqual([{ at: expect.any(String), why: expect.stringMatching(/fal's records hold no job/) }]);
    expect(manifest.recovered).toBeUndefined();
    expect(done.takes).toMatchObject([{ take: 1, state: 'complete', requestId: jobOf(firstPrompt(unit)).requestId }]);
    await handle.terminate('test done');
  });

  it('without an admin key, waits for a person: a wrong id is refused, the right one adopted, nothing paid twice', { timeout: 90_000 }, async () => {
    const unit = unitWithPrompt('Ask me [fake:accepted_but_cut]', [3, 5]);
    const handle = await start(withoutRecords, unit);
    const asked = await waitForStatus(handle, (s) => s.submissionQuestion !== undefined, 60_000);
    expect(asked).toMatchObject({ state: 'video_generating', submissionQuestion: { take: 1, reason: expect.stringMatching(/FAL_ADMIN_KEY/) } });
    expect(asked.waitingFor).toMatch(/recoil settle/);

    // Not the question being asked: refused with the reason, nothing changes.
    await handle.signal(settleSubmissionSignal, { take: 2, action: 'give_up', by: 'producer' });
    const refused = await waitForStatus(handle, (s) => s.decisions.some((d) => d.outcome === 'refused'));
    expect(refused.decisions.at(-1)!.detail).toMatch(/take 1 is the one waiting/);

    await handle.signal(settleSubmissionSignal, { take: 1, action: 'adopt', providerRequestId: jobOf(firstPrompt(unit)).requestId, by: 'producer' });
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete', 60_000);
    expect(done.submissionQuestion).toBeUndefined();
    expect(fal.submissions.get(firstPrompt(unit))).toBe(1);
    expect(await readTakeJsonOf(withoutRecords.artifactsRoot, { ...unit, take: 1 })).toMatchObject({ status: 'complete', recovered: { from: 'a person', by: 'producer' } });
    await handle.terminate('test done');
  });

  it('without an admin key, a person may give up: the take fails, counted at its estimate, and the sequence waits for a retake', { timeout: 90_000 }, async () => {
    const unit = unitWithPrompt('Give up [fake:accepted_but_502]', [5, 5]);
    const handle = await start(withoutRecords, unit);
    await waitForStatus(handle, (s) => s.submissionQuestion !== undefined, 60_000);
    await handle.signal(settleSubmissionSignal, { take: 1, action: 'give_up', by: 'producer' });
    const failed = await waitForStatus(handle, (s) => s.state === 'failed');
    expect(failed.failure).toMatch(/producer gave up take 1/);
    expect(failed.spentUsd).toBe(unit.estimatedCostUsd);
    expect(await readTakeJsonOf(withoutRecords.artifactsRoot, { ...unit, take: 1 })).toMatchObject({ status: 'failed', actualCostUsd: unit.estimatedCostUsd });
    await handle.terminate('test done');
  });
});

describe('the first two submissions accepted but never answered, the worker killed during the second', () => {
  it('ends with every sequence approved by a director who only approves, each billed job one take\'s', { timeout: 180_000 }, async () => {
    const latencyMs = 2_000;
    const walled = await startFalFake({ key: FAL_KEY, adminKey: ADMIN_KEY, latencyMs });
    const artifacts = await tempFolder();
    const worker = new WorkerProcess({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RECOIL_TASK_QUEUE: `cut-off-${randomUUID()}`,
      RECOIL_ARTIFACTS_DIR: artifacts,
      RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      FAL_KEY,
      FAL_ADMIN_KEY: ADMIN_KEY,
      RECOIL_FAL_BASE_URL: walled.baseUrl,
      RECOIL_FAL_SUBMIT_TIMEOUT_SEC: '2',
      RECOIL_FAL_LONGEST_RUN_SEC: String((latencyMs / 1_000) * 2),
      RECOIL_FAL_RECORDS_LAG_SEC: '1',
    });
    const projectId = `unanswered-${randomUUID().slice(0, 8)}`;
    // Lengths that differ, so what fal billed tells the two cut-off takes apart.
    const units = [0, 1, 2].map((i) => {
      const unit = makeUnit({ projectId, sequenceId: `SEQ0${i + 1}`, durations: [3, 3 + i] });
      unit.shots[0] = { ...unit.shots[0]!, prompt: `${projectId} ${unit.sequenceId}`, providerPrompt: `${projectId} ${unit.sequenceId}` };
      return unit;
    });
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'fal', maxParallel: 1, maxTakes: 3, autoRetakes: 0, budgetUsd: 20, heartbeatTimeoutSec: 3, recordsCheckEverySec: 1, startedBy: 'test' };
    const mine = () => [...walled.jobs.values()].filter((j) => String(j.body.multi_prompt[0].prompt).startsWith(projectId));
    walled.hangNextSubmissions(2);
    worker.start();
    try {
      const client = withRecords.client;
      const { handle } = await startOrFindEpisode(client, input, worker.taskQueue);
      // fal has the second job, whose answer never comes: the worker dies while it waits for it.
      await until(() => mine().length === 2, 90_000);
      await worker.kill();
      worker.start();

      const approved = await approveAsTheyComeIn(client, input);
      expect((await handle.result()).approved.sort()).toEqual(['SEQ01', 'SEQ02', 'SEQ03']);
      for (const status of approved) {
        expect(status.decisions.map((d) => `${d.decision}:${d.outcome}`)).toEqual(['approve:accepted']);
        expect(status.takes).toHaveLength(1);
      }
      const takes = await readEveryTakeJson(artifacts);
      const billed = walled.billingEvents.filter((e) => mine().some((j) => j.requestId === e.request_id));
      expect(billed).toHaveLength(3);
      for (const event of billed) expect(takes.filter((t) => t.requestId === event.request_id)).toHaveLength(1);
      for (const unit of units) expect(walled.submissions.get(firstPrompt(unit))).toBe(1);
      const unanswered = mine().slice(0, 2).map((j) => String(j.body.multi_prompt[0].prompt).split(' ')[1]);
      expect(takes.filter((t) => t.recovered?.from === 'fal billing records').map((t) => t.sequenceId).sort()).toEqual(unanswered.sort());
      expect(worker.kills).toBe(1);
    } finally {
      await worker.stop();
      await walled.close();
    }
  });
});

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('the condition never held');
    await sleep(50);
  }
}

/** The director: approves each take as it comes in, and does nothing else. */
async function approveAsTheyComeIn(client: Client, input: EpisodeInput): Promise<SequenceStatus[]> {
  const handles = input.units.map((u) => client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, u.sequenceId)));
  const deadline = Date.now() + 150_000;
  for (;;) {
    const statuses = await Promise.all(handles.map((h) => h.query(statusQuery).catch(() => undefined)));
    if (statuses.every((s) => s?.state === 'approved')) return statuses as SequenceStatus[];
    if (Date.now() > deadline) throw new Error(`not all approved: ${statuses.map((s) => s && `${s.sequenceId} ${s.state} ${s.waitingFor ?? ''} ${s.failure ?? ''}`).join('; ')}`);
    await Promise.all(
      statuses.map((s, i) => (s?.state === 'video_complete' ? handles[i]!.signal(approveSignal, { take: s.takes.at(-1)!.take, by: 'director' }) : undefined)),
    );
    await sleep(250);
  }
}
