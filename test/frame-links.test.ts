import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { continuityFindings } from '../src/activities/critics/continuity.js';
import { extractLastFrame } from '../src/activities/media/last-frame.js';
import { createLocalGridProvider } from '../src/activities/providers/local/local-grid-provider.js';
import { createLocalProvider } from '../src/activities/providers/local/local-provider.js';
import { takeDir } from '../src/store/takes/take-folders.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import type { EpisodeInput } from '../src/contract/episode.js';
import { approveSignal, type SequenceStatus } from '../src/contract/sequence.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import { startHarness, waitForStatus, type Harness } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';
import { readTakeJsonOf } from './helpers/take-json.js';
import { makeUnit } from './helpers/units.js';

let harness: Harness;
let projectDir: string;

beforeAll(async () => {
  harness = await startHarness({ local: createLocalProvider() }, undefined, undefined, { local: createLocalGridProvider() });
  projectDir = join(harness.artifactsRoot, 'project');
  await mkdir(join(projectDir, 'refs'), { recursive: true });
  // A plain orange still: unmistakable against the animatic's own skies.
  await sharp({ create: { width: 1280, height: 720, channels: 3, background: { r: 240, g: 130, b: 20 } } }).png().toFile(join(projectDir, 'refs', 'gas.png'));
});
afterAll(async () => harness?.stop());

/** SEQ01 ends where SEQ02 starts (its plan image); SEQ03 starts on SEQ02's approved last frame. */
function linkedEpisode(): EpisodeInput {
  const projectId = `links-${randomUUID().slice(0, 8)}`;
  const unit = (sequenceId: string, extra: Parameters<typeof makeUnit>[0]) => makeUnit({ projectId, projectDir, sequenceId, model: 'local', durations: [3], ...extra });
  const units = [
    unit('SEQ01', { endFrame: { kind: 'next', sequenceId: 'SEQ02' } }),
    unit('SEQ02', { startFrame: { kind: 'image', path: 'refs/gas.png' } }),
    unit('SEQ03', { startFrame: { kind: 'previous', sequenceId: 'SEQ02' } }),
  ];
  return { projectId, episode: 'EP001', units, provider: 'local', maxParallel: 3, maxTakes: 2, autoRetakes: 0, startedBy: 'test' };
}

function sequenceHandle(input: EpisodeInput, sequenceId: string) {
  return harness.client.workflow.getHandle(sequenceWorkflowId(input.projectId, input.episode, sequenceId));
}

function continuityOf(status: SequenceStatus) {
  return status.takes.at(-1)?.critics?.findings.filter((f) => f.critic === 'continuity') ?? [];
}

describe('sequences that cut together', () => {
  it('chains on the local animatic: SEQ03 waits for SEQ02 and opens on its approved last frame; SEQ01 ends on SEQ02\'s start frame', { timeout: 180_000 }, async () => {
    const input = linkedEpisode();
    const { handle } = await startOrFindEpisode(harness.client, input, harness.taskQueue);
    const [seq01, seq02, seq03] = ['SEQ01', 'SEQ02', 'SEQ03'].map((id) => sequenceHandle(input, id));

    // SEQ03 cannot start before SEQ02 is approved, and says what it waits for.
    const waiting = await waitForStatus(seq03!, (s) => s.waitingFor?.includes("SEQ02's approval") ?? false);
    expect(waiting.state).toBe('pending');
    expect(waiting.takes).toEqual([]);

    const done01 = await waitForStatus(seq01!, (s) => s.state === 'video_complete', 120_000);
    expect(continuityOf(done01)).toEqual([expect.objectContaining({ ok: true, message: expect.stringMatching(/^the last frame meets SEQ02's start frame/) })]);
    await waitForStatus(seq02!, (s) => s.state === 'video_complete', 120_000);
    await seq02!.signal(approveSignal, { take: 1, by: 'producer' });

    const done03 = await waitForStatus(seq03!, (s) => s.state === 'video_complete', 120_000);
    expect(done03.startFrame).toMatchObject({ by: "SEQ02 t001's last frame" });
    expect(continuityOf(done03)).toEqual([expect.objectContaining({ ok: true, message: expect.stringMatching(/^the first frame meets SEQ02 t001's last frame/) })]);
    // The frame SEQ03 was given is SEQ02's last, pixel for pixel; the animatic opened on it.
    const ref = (sequenceId: string) => ({ projectId: input.projectId, episode: input.episode, sequenceId, take: 1 });
    const lastOf02 = join(harness.artifactsRoot, 'last-of-seq02.png');
    await extractLastFrame(join(takeDir(harness.artifactsRoot, ref('SEQ02')), 'video.mp4'), lastOf02);
    const [given, expected] = await Promise.all([sharp(done03.startFrame!.path).raw().toBuffer(), sharp(lastOf02).raw().toBuffer()]);
    expect(given.equals(expected)).toBe(true);
    expect((await readTakeJsonOf(harness.artifactsRoot, ref('SEQ03'))).critics?.ok).toBe(true);

    await seq01!.signal(approveSignal, { take: 1, by: 'producer' });
    await seq03!.signal(approveSignal, { take: 1, by: 'producer' });
    expect((await handle.result()).approved.sort()).toEqual(['SEQ01', 'SEQ02', 'SEQ03']);
  });
});

describe("the previous sequence's last frame as a start-frame option", () => {
  it('is refused until the previous take is approved, then `recoil frame --from-previous` makes it the start frame', { timeout: 180_000 }, async () => {
    const projectId = `pick-${randomUUID().slice(0, 8)}`;
    const units = [
      makeUnit({ projectId, projectDir, sequenceId: 'SEQ01', model: 'local', durations: [3] }),
      makeUnit({ projectId, projectDir, sequenceId: 'SEQ02', model: 'local', durations: [3], startFrame: { kind: 'prompt', prompt: 'A forecourt at night' }, previousSequenceId: 'SEQ01' }),
    ];
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'local', maxParallel: 2, maxTakes: 2, autoRetakes: 0, startedBy: 'test' };
    await startOrFindEpisode(harness.client, input, harness.taskQueue);
    const [seq01, seq02] = ['SEQ01', 'SEQ02'].map((id) => sequenceHandle(input, id));
    const env = { TEMPORAL_ADDRESS: harness.connection.options.address, RECOIL_TASK_QUEUE: harness.taskQueue, RECOIL_ARTIFACTS_DIR: harness.artifactsRoot };
    const fromPrevious = () => runCli(['frame', projectId, 'EP001', 'SEQ02', '--from-previous', '--by', 'dana'], env);

    await waitForStatus(seq02!, (s) => s.state === 'frame_review', 120_000);
    const early = await fromPrevious();
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/SEQ01 has no approved take yet: approve one first, or pick a quadrant/);

    await waitForStatus(seq01!, (s) => s.state === 'video_complete', 120_000);
    await seq01!.signal(approveSignal, { take: 1, by: 'producer' });
    await waitForStatus(seq02!, (s) => s.previousApproval?.take === 1);
    const picked = await fromPrevious();
    expect(picked.code).toBe(0);
    const done = await waitForStatus(seq02!, (s) => s.state === 'video_complete', 120_000);
    expect(done.startFrame?.by).toBe("dana (SEQ01 t001's last frame)");
    // A person's pick links the two sequences as a plan's chain does: the critic checks the cut.
    expect(continuityOf(done)).toEqual([expect.objectContaining({ ok: true, message: expect.stringMatching(/^the first frame meets SEQ01 t001's last frame/) })]);
    const lastOf01 = join(harness.artifactsRoot, `${projectId}-last.png`);
    await extractLastFrame(join(takeDir(harness.artifactsRoot, { projectId, episode: 'EP001', sequenceId: 'SEQ01', take: 1 }), 'video.mp4'), lastOf01);
    expect((await sharp(done.startFrame!.path).raw().toBuffer()).equals(await sharp(lastOf01).raw().toBuffer())).toBe(true);
  });
});

describe('the continuity critic', () => {
  it('flags a deliberate jump and passes a frame that meets', async () => {
    const dir = join(harness.artifactsRoot, `critic-${randomUUID().slice(0, 8)}`);
    await mkdir(dir, { recursive: true });
    const video = join(dir, 'take.mp4');
    const { renderAnimatic } = await import('../src/activities/providers/local/animatic.js');
    await renderAnimatic({ outPath: video, resolution: { width: 640, height: 360 }, shots: [{ prompt: 'A wide shot', duration: 2 }], sequenceId: 'SEQ09', seed: 'jump', startFramePath: join(projectDir, 'refs', 'gas.png') });
    const last = join(dir, 'last.png');
    await extractLastFrame(video, last);
    const elsewhere = join(dir, 'elsewhere.png');
    await sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 20, g: 40, b: 200 } } }).png().toFile(elsewhere);

    const [meets, opensOn] = await continuityFindings(video, { startsOn: { path: join(projectDir, 'refs', 'gas.png'), what: 'the gas station' }, endsOn: { path: last, what: 'its own last frame' } });
    expect(meets).toMatchObject({ critic: 'continuity', ok: true });
    expect(opensOn).toMatchObject({ ok: true, measured: { difference: 0 } });
    const [jump] = await continuityFindings(video, { startsOn: { path: elsewhere, what: 'a blue frame' } });
    expect(jump).toMatchObject({ critic: 'continuity', ok: false, message: expect.stringMatching(/^a jump at the cut: the first frame differs from a blue frame by [\d.]+ of 255 \(more than 20\)$/) });
  });
});
