import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import sharp from 'sharp';
import { ffmpegPath } from '../src/activities/media/binaries.js';
import { extractLastFrame } from '../src/activities/media/last-frame.js';
import { probeVideo } from '../src/activities/media/probe.js';
import { runProcess } from '../src/activities/media/run-process.js';
import { takeDir } from '../src/store/takes/take-folders.js';
import { takeFolderName } from '../src/domain/ids.js';
import { deliveredFolder, expectReferenceToAccept } from './helpers/delivery-check.js';
import { readCopiedDelivery } from './helpers/otio-reference.js';
import { loadEpisodeUnits } from './helpers/pricing.js';
import { EXAMPLE_PROJECT } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { readEveryTakeJson } from './helpers/take-json.js';

let connection: Connection;
let client: Client;
beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
});
afterAll(async () => connection?.close());

describe('recoil demo', () => {
  it('runs the example episode end to end: a retake, approvals, real MP4s, a delivered cut', { timeout: 600_000 }, async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'recoil-demo-'));
    const artifacts = join(cwd, 'artifacts');
    const { code, stdout, stderr } = await runCli(
      ['demo'],
      // As on a fresh clone, where `npm run build` has not made a workflow bundle.
      { TEMPORAL_ADDRESS: inject('temporalAddress'), RECOIL_TASK_QUEUE: `demo-${randomUUID()}`, RECOIL_ARTIFACTS_DIR: artifacts, RECOIL_WORKFLOW_BUNDLE: join(cwd, 'no-bundle.js') },
      cwd,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`workflows: bundled at start (no prebuilt bundle at ${join(cwd, 'no-bundle.js')}`);
    expect(stdout).toMatch(/retake requested by demo-director/);
    expect(stdout).toMatch(/delivered cut: .*EP001_cut\.mp4/);
    expect(stdout).toMatch(/Web UI: http/);

    const units = await loadEpisodeUnits(EXAMPLE_PROJECT, 'EP001');
    const manifests = await readEveryTakeJson(join(artifacts, 'driver-beware', 'EP001'));
    const approved = manifests.filter((m) => m.decisions.some((d) => d.decision === 'approved'));
    expect(approved.length).toBe(units.length);
    expect(approved.length).toBeGreaterThanOrEqual(4);
    for (const m of approved) {
      const unit = units.find((u) => u.sequenceId === m.sequenceId)!;
      const probe = await probeVideo(join(takeDir(artifacts, m), 'video.mp4'));
      expect(Math.abs(probe.durationSec - unit.totalDurationSec)).toBeLessThanOrEqual(0.5);
      expect({ width: probe.width, height: probe.height }).toEqual({ width: 1280, height: 720 });
    }
    const retaken = manifests.filter((m) => m.decisions.some((d) => d.decision === 'retake'));
    expect(retaken).toHaveLength(1);

    // SEQ02 explores a grid; the demo picks quadrant 3 and the approved take starts from it.
    const seq02 = join(artifacts, 'driver-beware', 'EP001', 'SEQ02');
    const quadrant = await readFile(join(seq02, 'grids', 'g001', 'q3.png'));
    expect((await readFile(join(seq02, 'clean', 'start_frame.png'))).equals(quadrant)).toBe(true);
    const approvedSeq02 = approved.find((m) => m.sequenceId === 'SEQ02')!;
    const takeFolder = takeDir(artifacts, approvedSeq02);
    expect((await readFile(join(takeFolder, 'start_frame.png'))).equals(quadrant)).toBe(true);
    const firstFrame = join(takeFolder, 'first-frame.png');
    await runProcess(ffmpegPath(), ['-v', 'error', '-y', '-i', join(takeFolder, 'video.mp4'), '-frames:v', '1', firstFrame]);
    const [frameStats, quadrantStats] = await Promise.all([sharp(firstFrame).stats(), sharp(quadrant).stats()]);
    frameStats.channels.slice(0, 3).forEach((channel, i) => expect(Math.abs(channel.mean - quadrantStats.channels[i]!.mean)).toBeLessThan(12));

    // SEQ03 starts on SEQ02's approved last frame, and the continuity critic passes that cut.
    const approvedSeq03 = approved.find((m) => m.sequenceId === 'SEQ03')!;
    const lastOfSeq02 = join(takeFolder, 'last-frame.png');
    await extractLastFrame(join(takeFolder, 'video.mp4'), lastOfSeq02);
    const [chained, seq02Last] = await Promise.all([sharp(join(takeDir(artifacts, approvedSeq03), 'start_frame.png')).raw().toBuffer(), sharp(lastOfSeq02).raw().toBuffer()]);
    expect(chained.equals(seq02Last)).toBe(true);
    expect(approvedSeq03.critics?.findings.filter((f) => f.critic === 'continuity')).toEqual([
      expect.objectContaining({ ok: true, message: expect.stringMatching(new RegExp(`^the first frame meets SEQ02 ${takeFolderName(approvedSeq02.take)}'s last frame`)) }),
    ]);
    expect(stdout).toMatch(/EP001\/SEQ03 .*start frame: from SEQ02 t00\d's last frame/);

    const states: string[] = [];
    for await (const wf of client.workflow.list({ query: `RecoilProject = 'driver-beware' AND WorkflowType = 'sequenceWorkflow'` })) {
      states.push(String(wf.typedSearchAttributes.getAll().find((p) => p.key.name === 'RecoilState')?.value));
    }
    expect(states).toEqual(units.map(() => 'approved'));

    // The editorial hand-off beside the cut, judged by the reference OpenTimelineIO library and its
    // adapters; the cut's timecode track starts at 01:00:00:00, each source has its reel and timecode.
    const delivery = join(artifacts, 'driver-beware', 'EP001', 'delivery', 'v001');
    expect((await readdir(delivery)).sort()).toEqual(deliveredFolder('EP001'));
    const inCutOrder = units.map((u) => approved.find((m) => m.sequenceId === u.sequenceId)!);
    const reading = await expectReferenceToAccept(
      delivery,
      'EP001',
      inCutOrder.map((m) => ({ sequenceId: m.sequenceId, take: m.take, videoPath: join(takeDir(artifacts, m), 'video.mp4') })),
      { withNotes: true },
    );
    // The director's frame note on SEQ02's approved take is a marker at that frame, and a locator in the EDL.
    expect(stdout).toMatch(/SEQ02 t002: note at frame 144 \(shot 2\) by demo-director/);
    const [note] = approvedSeq02.notes ?? [];
    expect(note).toMatchObject({ frame: 144, shot: 2, by: 'demo-director', colour: 'YELLOW' });
    const seq02Clip = (timeline: typeof reading.otio) => timeline.clips.find((c) => c.name === 'SEQ02 t002')!;
    expect(seq02Clip(reading.otio).markers.filter((m) => !m.name.startsWith('shot '))).toEqual([expect.objectContaining({ name: note!.text, start: 144, duration: 1, color: 'YELLOW' })]);
    expect(seq02Clip(reading.edl).markers.filter((m) => !m.name.startsWith('shot '))).toEqual([expect.objectContaining({ name: note!.text, start: 144, color: 'YELLOW' })]);
    expect(await readFile(join(delivery, 'EP001.edl'), 'utf8')).toContain(`* LOC: 00:00:06:00 YELLOW  ${note!.text}\n`);
    for (const m of approved) expect(m.video?.frameRate).toBe('24');

    // The version is whole on its own: copied elsewhere, every reference resolves, and OTIO bundles it.
    const elsewhere = join(await mkdtemp(join(tmpdir(), 'recoil-demo-copy-')), 'v001');
    await cp(delivery, elsewhere, { recursive: true });
    const copied = await readCopiedDelivery(elsewhere, 'EP001', 24, join(elsewhere, '..', 'bundled.otioz'));
    expect(copied.otio.map((r) => r.exists)).toEqual(units.map(() => true));
    expect(copied.edl).toEqual(copied.otio);
    expect(copied.audio).toEqual({ otio: copied.otio, edl: copied.otio });
    expect(copied.bundled_files).toHaveLength(units.length + 2);
  });
});
