import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { redeliverEpisode } from '../src/client/decisions.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { episodeStatusQuery, redeliverSignal, type EpisodeInput, type EpisodeStatus } from '../src/contract/episode.js';
import { approveSignal } from '../src/contract/sequence.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { waitForStatus } from './helpers/harness.js';
import { makeProject, removeFixtures } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { makeUnit } from './helpers/units.js';

const t = useGatedHarness();
afterAll(removeFixtures);

const recoilState = async (handle: { describe(): Promise<{ typedSearchAttributes: { getAll(): { key: { name: string }; value: unknown }[] } }> }) =>
  (await handle.describe()).typedSearchAttributes.getAll().find((p) => p.key.name === 'RecoilState')?.value;

describe('a delivery that cannot be made', () => {
  it('leaves the episode delivery_blocked with the reason, and redeliver after the fix delivers it', { timeout: 180_000 }, async () => {
    const projectId = `blocked-${randomUUID().slice(0, 8)}`;
    // A copy of the example under this test's project id, so `recoil deliver <dir> EP001` finds this episode.
    const projectDir = await makeProject((files) => (files.project.id = projectId));
    const unit = makeUnit({ projectId, projectDir, sequenceId: 'SEQ01' });
    const input: EpisodeInput = { projectId, episode: 'EP001', units: [unit], provider: 'local', maxParallel: 1, maxTakes: 3, autoRetakes: 0, startedBy: 'test' };
    const { handle } = await startOrFindEpisode(t.harness.client, input, t.harness.taskQueue);
    const ref = { projectId, episode: 'EP001' };
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress') };

    // Nothing is blocked yet: a redeliver is refused with why, and changes nothing.
    const early = await redeliverEpisode(t.harness.client, ref, 'producer');
    expect(early).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/there is no blocked delivery to retry/) });

    // The take is made, then its video goes missing before the approval sets off the delivery.
    t.gate.open(unit);
    const sequence = t.harness.client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', 'SEQ01'));
    const complete = await waitForStatus(sequence, (s) => s.state === 'video_complete');
    const video = complete.takes[0]!.videoPath!;
    await rename(video, `${video}.away`);
    await sequence.signal(approveSignal, { take: 1, by: 'producer' });

    const blocked = await pollEpisode(handle, (s) => s.state === 'delivery_blocked');
    expect(blocked.deliveryBlocked).toMatchObject({ attempts: 1, projectDir, reason: expect.stringMatching(/SEQ01 take 1 is approved but its video is missing/) });
    expect(await recoilState(handle)).toBe('delivery_blocked');
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // A signal without a name is refused and recorded; it neither unblocks nor fails the workflow.
    await handle.signal(redeliverSignal, {} as never);
    const afterBadSignal = await pollEpisode(handle, (s) => s.redeliveries.length === 1);
    expect(afterBadSignal.redeliveries[0]).toMatchObject({ outcome: 'refused', detail: expect.stringMatching(/say who asks/) });
    expect(afterBadSignal.state).toBe('delivery_blocked');

    // status names the state, the reason and the one command to run.
    const status = await runCli(['status', projectId, '--episode', 'EP001'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/EP001: delivery_blocked since .*: SEQ01 take 1 is approved but its video is missing/);
    expect(status.stdout).toContain(`fix that, then deliver again: npx recoil deliver ${projectDir} EP001`);

    // Asked again before the fix: the attempt is refused again, the workflow still waits.
    const tooSoon = await runCli(['deliver', projectDir, 'EP001', '--by', 'producer'], env);
    expect(tooSoon.stdout).toMatch(/accepted: delivering again after 1 refused attempt/);
    expect(tooSoon.stderr).toMatch(/the delivery was refused again: SEQ01 take 1 is approved but its video is missing/);
    expect(tooSoon.code).toBe(1);
    expect((await handle.query(episodeStatusQuery)).deliveryBlocked?.attempts).toBe(2);

    // Fixed: the same command delivers, and the episode completes.
    await rename(`${video}.away`, video);
    const fixed = await runCli(['deliver', projectDir, 'EP001', '--by', 'producer'], env);
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toMatch(/✓ delivered .* EP001: .*EP001_cut\.mp4/);
    expect(fixed.code).toBe(0);
    const summary = await handle.result();
    expect(summary.deliveryPath).toMatch(/delivery\/v001\/EP001_cut\.mp4$/);
    expect(await recoilState(handle)).toBe('delivered');
    const done = await handle.query(episodeStatusQuery);
    expect(done.state).toBe('delivered');
    expect(done.deliveryBlocked).toBeUndefined();
    expect(done.redeliveries.map((r) => [r.by, r.outcome])).toEqual([
      ['unknown', 'refused'],
      ['producer', 'accepted'],
      ['producer', 'accepted'],
    ]);

    // Once delivered, redeliver is refused: there is nothing blocked.
    await expect(redeliverEpisode(t.harness.client, ref, 'producer')).rejects.toThrow(/is closed \(completed\)/);
  });
});

async function pollEpisode(handle: { query: (q: typeof episodeStatusQuery) => Promise<EpisodeStatus> }, predicate: (s: EpisodeStatus) => boolean): Promise<EpisodeStatus> {
  let last: EpisodeStatus | undefined;
  await expect
    .poll(async () => {
      last = await handle.query(episodeStatusQuery).catch(() => last);
      return last !== undefined && predicate(last);
    }, { timeout: 60_000, interval: 250 })
    .toBe(true);
  return last!;
}
