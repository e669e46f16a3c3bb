import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { episodeWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import { listBoardRows } from '../src/review/read-board.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { probeVideo } from '../src/activities/media/probe.js';
import { episodeStatusQuery, requestGenerationSignal, settleGenerationSignal, type EpisodeInput } from '../src/contract/episode.js';
import type { GenerationRequest } from '../src/domain/generation-ledger.js';
import { approveSignal } from '../src/contract/sequence.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { waitForStatus } from './helpers/harness.js';
import { makeUnit } from './helpers/units.js';


const t = useGatedHarness();

function episodeInput(sequenceCount: number, maxParallel: number): EpisodeInput {
  const projectId = `ep-${randomUUID().slice(0, 8)}`;
  const units = Array.from({ length: sequenceCount }, (_, i) => makeUnit({ projectId, sequenceId: `SEQ0${i + 1}` }));
  return { projectId, episode: 'EP001', units, provider: 'local', maxParallel, maxTakes: 3, autoRetakes: 0, startedBy: 'test' };
}

async function finishAndApprove(input: EpisodeInput, unit: EpisodeInput['units'][number]): Promise<void> {
  t.gate.open(unit);
  const handle = t.harness.client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, unit.sequenceId));
  await waitForStatus(handle, (s) => s.state === 'video_complete');
  await handle.signal(approveSignal, { take: 1, by: 'producer' });
}

async function approveAllFirstTakes(input: EpisodeInput): Promise<void> {
  for (const unit of input.units) await finishAndApprove(input, unit);
}

describe('episode workflow', () => {
  it('never lets more than max_parallel_sequences generate at once, then delivers the cut', async () => {
    const input = episodeInput(5, 2);
    const { handle, started } = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);
    expect(started).toBe(true);
    // Takes finish only when the test lets them, so the overlap is seen on a slow machine too: before
    // each take finishes, as many sequences as the limit allows are generating, and never more.
    for (let finished = 0; finished < input.units.length; finished++) {
      const canGenerate = Math.min(2, input.units.length - finished);
      await expect.poll(() => t.gate.activeKeys.length, { timeout: 60_000 }).toBe(canGenerate);
      const generating = t.gate.activeKeys[0]!;
      await finishAndApprove(input, input.units.find((u) => generating.endsWith(`/${u.sequenceId}`))!);
    }
    const summary = await handle.result();

    // Measured by the provider itself, independently of the workflow's own bookkeeping.
    expect(t.gate.maxActive).toBe(2);
    expect(summary.approved.sort()).toEqual(['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04', 'SEQ05']);
    expect(summary.failed).toEqual([]);
    const cut = await probeVideo(summary.deliveryPath!);
    expect(cut.durationSec).toBeCloseTo(5 * 6, 0);
    await stat(summary.deliveryPath!.replace(/[^/]+$/, 'timeline.json'));
    // Each sequence's board card is in its memo: one visibility listing reads the whole board, no query each.
    await expect
      .poll(async () => (await listBoardRows(t.harness.client, { projectId: input.projectId })).map((row) => [row.sequenceId, row.state, row.card?.approvedTake, row.card?.takesUsed]), { timeout: 15_000 })
      .toEqual(input.units.map((u) => [u.sequenceId, 'approved', 1, 1]));
  });

  it('settles when a sequence stops on a failure nothing can retry, listing it as failed', async () => {
    const input = episodeInput(2, 2);
    input.units[1] = { ...input.units[1]!, startFrame: { kind: 'image', path: 'gone.png' } };
    const { handle } = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);
    const broken = t.harness.client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, 'SEQ02'));
    const failed = await waitForStatus(broken, (s) => s.state === 'failed');
    expect(failed.failure).toMatch(/the sequence stopped: the plan's start_frame\.image .*gone\.png cannot be read \(ENOENT\): restore it/);
    const described = await broken.describe();
    expect(described.typedSearchAttributes.getAll().find((p) => p.key.name === 'RecoilState')?.value).toBe('failed');
    await approveAllFirstTakes({ ...input, units: [input.units[0]!] });
    const summary = await handle.result();
    expect(summary).toMatchObject({ approved: ['SEQ01'], failed: ['SEQ02'] });
  });

  it('refuses a generation request it cannot hold and goes on: no handler fails the episode', async () => {
    const input = episodeInput(1, 1);
    const { handle } = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);
    const sequence = t.harness.client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, 'SEQ01'));
    await waitForStatus(sequence, (s) => s.state === 'video_generating');
    // What a buggy or outdated sequence could send: no estimate, and not a request at all.
    await handle.signal(requestGenerationSignal, { sequenceId: 'SEQ01', kind: 'video', number: 7, estimateUsd: null as unknown as number });
    await handle.signal(requestGenerationSignal, { hello: 'world' } as unknown as GenerationRequest);
    await handle.signal(settleGenerationSignal, { sequenceId: 'SEQ01', kind: 'video', number: 1, actualUsd: 'free' as unknown as number });
    await approveAllFirstTakes(input);
    expect(await handle.result()).toMatchObject({ approved: ['SEQ01'], failed: [] });
    expect((await handle.query(episodeStatusQuery)).spentUsd).toBe(0);
    const { events } = await handle.fetchHistory();
    expect(events?.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
  });

  it('a new run of the episode hears what each adopted sequence holds and waits for', async () => {
    const input = episodeInput(2, 1);
    const first = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);
    const ofThisEpisode = () => t.gate.activeKeys.filter((key) => key.startsWith(`${input.projectId}/`));
    await expect.poll(() => ofThisEpisode().length, { timeout: 30_000 }).toBe(1);
    const generating = input.units.find((u) => ofThisEpisode()[0]!.endsWith(`/${u.sequenceId}`))!;
    const waiting = input.units.find((u) => u !== generating)!;
    const waitingHandle = t.harness.client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, waiting.sequenceId));
    await waitForStatus(waitingHandle, (s) => /generation slot/.test(s.waitingFor ?? ''));

    await first.handle.terminate('test: the episode run is lost; its sequences keep running');
    const second = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);
    expect(second.started).toBe(true);
    // The new run knows the slot is taken, and who waits for it.
    await expect
      .poll(async () => {
        const status = await second.handle.query(episodeStatusQuery);
        return { generating: status.generating, waiting: status.waiting.map((w) => w.sequenceId) };
      }, { timeout: 30_000 })
      .toEqual({ generating: [generating.sequenceId], waiting: [waiting.sequenceId] });
    await finishAndApprove(input, generating);
    await finishAndApprove(input, waiting);
    expect((await second.handle.result()).approved.sort()).toEqual(['SEQ01', 'SEQ02']);
  });

  it('finds the running episode instead of starting it twice', async () => {
    const input = episodeInput(1, 1);
    const first = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);
    const second = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);
    expect(first.started).toBe(true);
    expect(second.started).toBe(false);
    expect(second.handle.workflowId).toBe(episodeWorkflowId(input.projectId, 'EP001'));
    expect((await second.handle.describe()).runId).toBe((await first.handle.describe()).runId);
    const status = await first.handle.query(episodeStatusQuery);
    expect(status.sequences.map((s) => s.sequenceId)).toEqual(['SEQ01']);
    await approveAllFirstTakes(input);
    await first.handle.result();
  });
});
