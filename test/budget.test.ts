import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import { EPISODE_CARD_MEMO, episodeCard, episodeStatusQuery, setBudgetSignal, type EpisodeInput } from '../src/contract/episode.js';
import { approveSignal, statusQuery } from '../src/contract/sequence.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { waitForStatus } from './helpers/harness.js';
import { makeUnit } from './helpers/units.js';

const t = useGatedHarness({ autoOpenMs: 400, as: 'fal' });

describe('episode budget', () => {
  it('pays for exactly the takes that fit, makes the rest wait visibly, and never spends past the budget', async () => {
    const projectId = `budget-${randomUUID().slice(0, 8)}`;
    const units = ['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04'].map((sequenceId) => makeUnit({ projectId, sequenceId, estimatedCostUsd: 1 }));
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'fal', maxParallel: 4, maxTakes: 3, autoRetakes: 0, budgetUsd: 2, startedBy: 'test' };
    const { handle } = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);

    // Watch the money the whole time: reserved + spent must never exceed the budget in force.
    let budget = 2;
    let watching = true;
    const overspends: string[] = [];
    const watcher = (async () => {
      while (watching) {
        const s = await handle.query(episodeStatusQuery).catch(() => undefined);
        if (s && s.spentUsd + s.reservedUsd > budget + 1e-9) overspends.push(`spent ${s.spentUsd} + reserved ${s.reservedUsd} > ${budget}`);
        await sleep(50);
      }
    })();

    const seq = (id: string) => t.harness.client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', id));
    const states = async () => Promise.all(units.map((u) => seq(u.sequenceId).query(statusQuery).catch(() => undefined)));
    await expect.poll(async () => (await states()).map((s) => s?.state).sort(), { timeout: 30_000, interval: 200 }).toEqual([
      'awaiting_budget',
      'awaiting_budget',
      'video_complete',
      'video_complete',
    ]);
    const waiting = (await states()).filter((s) => s?.state === 'awaiting_budget');
    expect(waiting[0]!.waitingFor).toMatch(/budget: the next video needs ~\$1\.00, \$0\.00 left — raise it with `npx recoil budget`/);
    expect(t.gate.submissions.filter((s) => s.startsWith(projectId))).toHaveLength(2);
    const money = await handle.query(episodeStatusQuery);
    expect(money).toMatchObject({ budgetUsd: 2, spentUsd: 2, reservedUsd: 0, leftUsd: 0 });
    expect(money.waiting.map((w) => w.reason)).toEqual(['budget', 'budget']);
    // The board reads the same money from the episode's memo, which the server answers without a worker.
    await expect.poll(async () => (await handle.describe()).memo?.[EPISODE_CARD_MEMO]).toEqual(episodeCard(await handle.query(episodeStatusQuery)));

    budget = 4;
    await handle.signal(setBudgetSignal, { budgetUsd: 4, by: 'producer' });
    for (const unit of units) {
      await waitForStatus(seq(unit.sequenceId), (s) => s.state === 'video_complete', 30_000);
      await seq(unit.sequenceId).signal(approveSignal, { take: 1, by: 'producer' });
    }
    const summary = await handle.result();
    watching = false;
    await watcher;
    expect(summary.spentUsd).toBe(4);
    expect(t.gate.submissions.filter((s) => s.startsWith(projectId))).toHaveLength(4);
    expect(overspends).toEqual([]);
  });

  it('counts what earlier runs of the episode spent, from the takes on disk', async () => {
    const projectId = `budget-${randomUUID().slice(0, 8)}`;
    const units = ['SEQ01', 'SEQ02'].map((sequenceId) => makeUnit({ projectId, sequenceId, estimatedCostUsd: 1 }));
    const seq = (id: string) => t.harness.client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', id));
    const input = { projectId, episode: 'EP001', units, provider: 'fal' as const, maxParallel: 2, maxTakes: 3, autoRetakes: 0, startedBy: 'test' };
    const paid = () => t.gate.submissions.filter((s) => s.startsWith(projectId)).length;

    // First run: one paid take each; SEQ01 is approved, then the run is stopped with SEQ02 unapproved.
    const first = await startOrFindEpisode(t.harness.client, { ...input, budgetUsd: 3 }, t.harness.taskQueue);
    for (const id of ['SEQ01', 'SEQ02']) await waitForStatus(seq(id), (s) => s.state === 'video_complete', 30_000);
    await seq('SEQ01').signal(approveSignal, { take: 1, by: 'producer' });
    await waitForStatus(seq('SEQ01'), (s) => s.state === 'approved');
    await first.handle.terminate('the producer stops the run');
    await seq('SEQ02').terminate('the producer stops the run');
    expect(paid()).toBe(2);

    // Second run under a $2.50 cap: SEQ01 (adopted, approved) and SEQ02 (restarted, its take 1 on
    // disk) have spent $2 already, so SEQ02's next $1 take must wait instead of being paid for.
    const second = await startOrFindEpisode(t.harness.client, { ...input, budgetUsd: 2.5 }, t.harness.taskQueue);
    expect(second.started).toBe(true);
    const money = async () => {
      const s = await second.handle.query(episodeStatusQuery);
      return { spentUsd: s.spentUsd, leftUsd: s.leftUsd, waiting: s.waiting.map((w) => `${w.sequenceId}:${w.reason}`) };
    };
    await expect.poll(money, { timeout: 30_000, interval: 200 }).toEqual({ spentUsd: 2, leftUsd: 0.5, waiting: ['SEQ02:budget'] });
    expect(paid()).toBe(2);
    await second.handle.terminate('test done');
    await seq('SEQ02').terminate('test done');
  });
});
