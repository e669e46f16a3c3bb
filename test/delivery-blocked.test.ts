import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { redeliverEpisode } from '../src/review/decisions.js';
import { startConsole, USER_COOKIE, type RunningConsole } from '../src/console/server.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { episodeStatusQuery, redeliverSignal, type EpisodeInput, type EpisodeStatus } from '../src/contract/episode.js';
import { approveSignal } from '../src/contract/sequence.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { waitForStatus } from './helpers/harness.js';
import { makeProject, removeFixtures } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { makeUnit } from './helpers/units.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const t = useGatedHarness();
let console_: RunningConsole | undefined;
afterAll(async () => {
  await console_?.close();
  await removeFixtures();
});

/** The Board's HTML and its "Deliver again" button, as the browser sends it (same origin, a name in the cookie). */
function consolePage(base: string, path: string): Promise<string> {
  return fetch(`${base}${path}`).then((r) => r.text());
}
async function pressDeliverAgain(base: string, path: string): Promise<{ status: number; body: { kind: string; reason?: string; detail?: string } }> {
  const response = await fetch(`${base}${path}/redeliver`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: base, 'Sec-Fetch-Site': 'same-origin', Cookie: `${USER_COOKIE}=director` },
    body: '{}',
  });
  return { status: response.status, body: (await response.json()) as { kind: string } };
}

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

    console_ = await startConsole({ client: t.harness.client, connection: t.harness.connection, namespace: 'default', store: new LocalFolderStore(t.harness.artifactsRoot), port: 0 });
    const base = console_.url;
    const boardPath = `/p/${projectId}/EP001`;

    // Nothing is blocked yet: a redeliver is refused with why, and changes nothing.
    const early = await redeliverEpisode(t.harness.client, ref, 'producer');
    expect(early).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/there is no blocked delivery to retry/) });
    const earlyPress = await pressDeliverAgain(base, boardPath);
    expect(earlyPress.status).toBe(409);
    expect(earlyPress.body).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/there is no blocked delivery to retry/) });
    expect(await consolePage(base, `${boardPath}/board`)).not.toContain('Deliver again');

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

    // The Board shows it too, with the button; pressing it before the fix is another refused attempt.
    await expect.poll(() => consolePage(base, `${boardPath}/board`), { timeout: 15_000 }).toMatch(/refused 2 times/);
    const boardHtml = await consolePage(base, `${boardPath}/board`);
    expect(boardHtml).toContain('Delivery blocked');
    expect(boardHtml).toMatch(/SEQ01 take 1 is approved but its video is missing/);
    expect(boardHtml).toMatch(/<form class="redeliver" id="redeliver-form" data-action="\/p\/blocked-[\w-]+\/EP001\/redeliver"/);
    expect(boardHtml).toContain('Deliver again');
    const pressed = await pressDeliverAgain(base, boardPath);
    expect(pressed).toMatchObject({ status: 200, body: { kind: 'accepted', detail: expect.stringMatching(/delivering again after 2 refused attempts/) } });
    expect((await pollEpisode(handle, (s) => s.state === 'delivery_blocked' && s.deliveryBlocked?.attempts === 3)).redeliveries.at(-1)?.by).toBe('director');

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
      ['director', 'accepted'],
      ['producer', 'accepted'],
    ]);
    expect(await consolePage(base, `${boardPath}/board`)).not.toContain('Deliver again');

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
