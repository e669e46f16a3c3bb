import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildDelivery } from '../src/activities/delivery/build-delivery.js';
import { DeliveryRefused } from '../src/activities/delivery/delivery-refused.js';
import { listDeliveries } from '../src/store/delivery/list-deliveries.js';
import { ffmpegPath } from '../src/activities/media/binaries.js';
import { probeVideo } from '../src/activities/media/probe.js';
import { runProcess } from '../src/activities/media/run-process.js';
import { criticiseTakeActivity } from '../src/activities/step-runner/criticise-take.js';
import { clipNotes, reelNames, shotRanges, type EditorialCut } from '../src/domain/editorial/cut.js';
import { cmx3600Edl } from '../src/domain/editorial/edl.js';
import { otioTimeline } from '../src/domain/editorial/otio.js';
import { takeFolderName } from '../src/domain/ids.js';
import type { TakeNote } from '../src/domain/take-notes.js';
import { framesToTimecode, parseFrameRate, type FrameRate } from '../src/domain/timecode.js';
import { FIXTURE_PROJECT, writeApprovedTake } from './helpers/approved-take.js';
import { expectReferenceToAccept, meanVolume } from './helpers/delivery-check.js';
import { readCopiedDelivery, readWithReference } from './helpers/otio-reference.js';
import { readTakeJson } from './helpers/take-json.js';
import { tempFolders } from './helpers/temp-folders.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const NTSC_FILM: FrameRate = { num: 24000, den: 1001 };
const FILM: FrameRate = { num: 24, den: 1 };
const artifactsRoot = tempFolders('recoil-handoff-');

/** Two 720p sequences: SEQ01 take 2 (2 s + 3 s, silent), SEQ02 take 1 (4 s, with its own sound), both approved. */
async function twoTakes(root: string, rate: string) {
  const seq01 = await writeApprovedTake(root, { sequenceId: 'SEQ01', take: 2, rate, shots: [2, 3], width: 1280, height: 720 });
  const seq02 = await writeApprovedTake(root, { sequenceId: 'SEQ02', take: 1, rate, shots: [4], width: 1280, height: 720, audio: true });
  return [
    { sequenceId: 'SEQ01', take: 2, videoPath: join(seq01, 'video.mp4') },
    { sequenceId: 'SEQ02', take: 1, videoPath: join(seq02, 'video.mp4') },
  ];
}

const selection = { ...FIXTURE_PROJECT, sequences: [{ sequenceId: 'SEQ01' }, { sequenceId: 'SEQ02' }] };
const deliveryDir = (root: string) => join(root, FIXTURE_PROJECT.projectId, FIXTURE_PROJECT.episode, 'delivery');

function cutAt(rate: FrameRate, frames: [number, number]): EditorialCut {
  const provenance = (sequence: string, take: number) => ({
    project: 'p', episode: 'EP001', sequence, take, provider: 'local', model: 'local', shotPrompts: ['a'], providerRequestId: 'req-1',
    estimatedCostUsd: 1, actualCostUsd: 0.5, critics: { ok: true, summary: '5/5 critics passed' }, approvedBy: 'dana', approvedAt: '2026-01-01T00:00:00.000Z',
    frameRate: `${rate.num}/${rate.den}`, durationSec: 1,
  });
  return {
    projectId: 'p', episode: 'EP001', version: 1, rate, width: 1280, height: 720, createdAt: '2026-01-01T00:00:00.000Z',
    clips: [
      { sequenceId: 'SEQ01', take: 3, reel: 'SEQ01T03', mediaPath: 'media/EP001_SEQ01_T03.mov', frames: frames[0], shots: [], notes: [], audio: 'silence', provenance: provenance('SEQ01', 3) },
      { sequenceId: 'SEQ02', take: 1, reel: 'SEQ02T01', mediaPath: 'media/EP001_SEQ02_T01.mov', frames: frames[1], shots: [], notes: [], audio: 'take', provenance: provenance('SEQ02', 1) },
    ],
  };
}

describe('timecode', () => {
  it('keeps 23.976 exact and counts its timecode at 24 frames a second, non-drop', () => {
    expect(parseFrameRate('24000/1001')).toEqual(NTSC_FILM);
    expect(parseFrameRate('48/2')).toEqual(FILM);
    expect(parseFrameRate('0/0')).toBeUndefined();
    expect(framesToTimecode(86400, NTSC_FILM)).toBe('01:00:00:00');
    expect(framesToTimecode(86400 + 241, NTSC_FILM)).toBe('01:00:10:01');
    expect(framesToTimecode(241, FILM)).toBe('00:00:10:01');
  });

  it('gives every take its own 8-character reel, even when sequence ids clash once shortened', () => {
    const reels = reelNames([{ sequenceId: 'SEQ01', take: 3 }, { sequenceId: 'opening-titles', take: 12 }, { sequenceId: 'OPENINGT', take: 12 }, { sequenceId: 'x', take: 123456 }, { sequenceId: 'y', take: 1234567 }]);
    expect(reels).toEqual(['SEQ01T03', 'OPENIT12', 'R0000003', 'XT123456', 'R0000005']);
    reels.forEach((r) => expect(r.length).toBeLessThanOrEqual(8));
  });

  it('lays the planned shots over a take without drift; the last shot runs to its end', () => {
    const shots = [{ prompt: 'a', duration: 2 }, { prompt: 'b', duration: 3 }];
    expect(shotRanges(shots, NTSC_FILM, 121)).toEqual([
      { number: 1, prompt: 'a', startFrame: 0, frames: 48 },
      { number: 2, prompt: 'b', startFrame: 48, frames: 73 },
    ]);
  });
});

describe('OTIO writer', () => {
  for (const [label, rate, fps] of [['23.976', NTSC_FILM, 24000 / 1001], ['24', FILM, 24]] as const) {
    it(`writes a ${label} fps timeline: V1 and A1, whole takes by relative path, what each source is, provenance`, () => {
      const timeline = otioTimeline(cutAt(rate, [240, 121])) as any;
      expect(timeline.OTIO_SCHEMA).toBe('Timeline.1');
      expect(timeline.global_start_time).toEqual({ OTIO_SCHEMA: 'RationalTime.1', rate: fps, value: 86400 });
      const [video, audio] = timeline.tracks.children;
      expect(video).toMatchObject({ OTIO_SCHEMA: 'Track.1', name: 'V1', kind: 'Video' });
      expect(audio).toMatchObject({ OTIO_SCHEMA: 'Track.1', name: 'A1', kind: 'Audio' });
      const clips = (track: any) => track.children.map((c: any) => [c.name, c.source_range.duration.value, c.source_range.duration.rate, c.media_reference.target_url]);
      expect(clips(video)).toEqual([
        ['SEQ01 t003', 240, fps, 'media/EP001_SEQ01_T03.mov'],
        ['SEQ02 t001', 121, fps, 'media/EP001_SEQ02_T01.mov'],
      ]);
      expect(clips(audio)).toEqual(clips(video));
      expect(video.children[0].metadata).toMatchObject({ cmx_3600: { reel: 'SEQ01T03' }, ALE: { Tape: 'SEQ01T03', 'Image Size': '1280 x 720' }, recoil: { providerRequestId: 'req-1', approvedBy: 'dana', actualCostUsd: 0.5 } });
      const source = video.children[1].media_reference;
      expect(source.available_image_bounds).toMatchObject({ min: { x: -(16 / 9) / 2, y: -0.5 }, max: { x: 16 / 9 / 2, y: 0.5 } });
      expect(source.metadata.recoil).toMatchObject({ width: 1280, height: 720, reel: 'SEQ02T01', audio: 'take', sampleRate: 48000, channels: 2 });
      expect(source.metadata.fcp_xml.media.video.samplecharacteristics).toEqual({ width: '1280', height: '720' });
    });
  }
});

describe('EDL writer', () => {
  it('writes 23.976 fps events with timecode counted at 24, record from one hour', () => {
    expect(cmx3600Edl(cutAt(NTSC_FILM, [240, 121]))).toBe(
      [
        'TITLE: EP001 v001',
        'FCM: NON-DROP FRAME',
        '',
        '001  SEQ01T03 B     C        00:00:00:00 00:00:10:00 01:00:00:00 01:00:10:00',
        '* FROM CLIP NAME:  SEQ01 t003',
        '* FROM CLIP: media/EP001_SEQ01_T03.mov',
        '002  SEQ02T01 B     C        00:00:00:00 00:00:05:01 01:00:10:00 01:00:15:01',
        '* FROM CLIP NAME:  SEQ02 t001',
        '* FROM CLIP: media/EP001_SEQ02_T01.mov',
        '',
      ].join('\n'),
    );
  });

  it('writes 24 fps events the same way', () => {
    const edl = cmx3600Edl(cutAt(FILM, [24 * 60 + 5, 30]));
    expect(edl).toContain('001  SEQ01T03 B     C        00:00:00:00 00:01:00:05 01:00:00:00 01:01:00:05\n');
    expect(edl).toContain('002  SEQ02T01 B     C        00:00:00:00 00:00:01:06 01:01:00:05 01:01:01:11\n');
  });
});

const NOTE_AT = '2026-01-02T10:20:30.000Z';
/** A frame note with a drawing in shot 1 and a range note across shots 1 and 2 of SEQ01 take 2 (2 s + 3 s). */
const SEQ01_NOTES: TakeNote[] = [
  { id: 'n2', take: 2, frame: 60, endFrame: 84, shot: 2, text: 'Too fast through the turn;\nslow it down', colour: 'CYAN', by: 'dana', at: NOTE_AT },
  {
    id: 'n1', take: 2, frame: 30, shot: 1, text: 'His hand clips the door here', colour: 'YELLOW', by: 'dana', at: NOTE_AT,
    drawing: [{ tool: 'rect', colour: 'YELLOW', points: [[0.2, 0.2], [0.6, 0.7]] }, { tool: 'arrow', colour: 'RED', points: [[0.9, 0.1], [0.62, 0.4]] }],
  },
];

describe('notes in the hand-off', () => {
  it('are markers at their frames in the OTIO and locators in the EDL, in frame order', () => {
    const cut = cutAt(FILM, [120, 96]);
    cut.clips[0]!.notes = clipNotes(SEQ01_NOTES, 120);
    const [clip] = (otioTimeline(cut) as any).tracks.children[0].children;
    expect(clip.markers.map((m: any) => [m.name, m.color, m.marked_range.start_time.value, m.marked_range.duration.value])).toEqual([
      ['His hand clips the door here', 'YELLOW', 30, 1],
      ['Too fast through the turn; slow it down', 'CYAN', 60, 25],
    ]);
    expect(clip.markers[0].metadata.recoil.note).toMatchObject({ by: 'dana', shot: 1, drawing: SEQ01_NOTES[1]!.drawing });
    const edl = cmx3600Edl(cut);
    expect(edl).toContain('* FROM CLIP: media/EP001_SEQ01_T03.mov\n* LOC: 00:00:01:06 YELLOW  His hand clips the door here\n* LOC: 00:00:02:12 CYAN    Too fast through the turn; slow it down\n002');
  });

  it('keeps a range inside its clip and leaves out a note past its end', () => {
    expect(clipNotes([{ ...SEQ01_NOTES[0]!, frame: 100, endFrame: 300 }, { ...SEQ01_NOTES[1]!, frame: 130 }], 120).map((n) => [n.startFrame, n.frames])).toEqual([[100, 20]]);
  });

  it('reach the editor: the reference library reads each note at its frame from the OTIO and the EDL; the PDF gets a notes page', { timeout: 600_000 }, async () => {
    const root = await artifactsRoot();
    const seq01 = await writeApprovedTake(root, { sequenceId: 'SEQ01', take: 2, rate: '24', shots: [2, 3], notes: SEQ01_NOTES });
    const seq02 = await writeApprovedTake(root, { sequenceId: 'SEQ02', take: 1, rate: '24', shots: [4] });
    const takes = [
      { sequenceId: 'SEQ01', take: 2, videoPath: join(seq01, 'video.mp4') },
      { sequenceId: 'SEQ02', take: 1, videoPath: join(seq02, 'video.mp4') },
    ];
    const { dir } = await buildDelivery(new LocalFolderStore(root), selection);
    const reading = await expectReferenceToAccept(dir, FIXTURE_PROJECT.episode, takes, { withNotes: true });
    const notesOf = (clip: { markers: { name: string; start: number; duration: number; color: string }[] }) =>
      clip.markers.filter((m) => !m.name.startsWith('shot ')).map(({ name, start, duration, color }) => ({ name, start, duration, color }));
    expect(notesOf(reading.otio.clips[0]!)).toEqual([
      { name: 'His hand clips the door here', start: 30, duration: 1, color: 'YELLOW' },
      { name: 'Too fast through the turn; slow it down', start: 60, duration: 25, color: 'CYAN' },
    ]);
    expect(notesOf(reading.otio.clips[1]!)).toEqual([]);
    // The EDL's locators come back as markers of one frame, at the same source frames.
    expect(notesOf(reading.edl.clips[0]!)).toEqual([
      { name: 'His hand clips the door here', start: 30, duration: 0, color: 'YELLOW' },
      { name: 'Too fast through the turn; slow it down', start: 60, duration: 0, color: 'CYAN' },
    ]);
  });
});

describe('a delivery of real takes', () => {
  for (const [label, rate, fps] of [['23.976', '24000/1001', 24000 / 1001], ['24', '24', 24]] as const) {
    it(`at ${label} fps: the reference libraries read the OTIO, EDL, FCP7, FCPX and ALE as the cut; sources carry reel, timecode and A1`, { timeout: 600_000 }, async () => {
      const root = await artifactsRoot();
      const takes = await twoTakes(root, rate);
      const result = await buildDelivery(new LocalFolderStore(root), selection);
      expect(result).toMatchObject({ created: true, version: 1, dir: join(deliveryDir(root), 'v001') });
      expect((await probeVideo(join(takes[0]!.videoPath))).frameRate).toBe(rate === '24' ? '24' : '24000/1001');
      await expectReferenceToAccept(result.dir, FIXTURE_PROJECT.episode, takes);
      expect(Math.abs((await probeVideo(result.cutPath)).durationSec - 9 * (rate === '24' ? 1 : 1.001))).toBeLessThan(1 / fps);
      // A1: SEQ02's own tone, SEQ01's silence, and the cut carries both in turn.
      expect(await meanVolume(join(result.dir, 'media', 'EP009_SEQ01_T02.mov'))).toBeLessThan(-80);
      expect(await meanVolume(join(result.dir, 'media', 'EP009_SEQ02_T01.mov'))).toBeGreaterThan(-40);
      expect(await meanVolume(result.cutPath)).toBeGreaterThan(-45);
    });

    it(`at ${label} fps: the burn-in cut shows record timecode and the take over the picture, and nothing else changes`, { timeout: 120_000 }, async () => {
      const root = await artifactsRoot();
      await twoTakes(root, rate);
      const { dir, cutPath } = await buildDelivery(new LocalFolderStore(root), selection);
      const burnIn = join(dir, `${FIXTURE_PROJECT.episode}_cut_burnin.mp4`);
      const frameOf = async (video: string, top: number, height: number) => {
        const png = join(root, `${video === burnIn ? 'burn-in' : 'cut'}-${top}.png`);
        await runProcess(ffmpegPath(), ['-v', 'error', '-y', '-i', video, '-vf', 'select=eq(n\\,30)', '-frames:v', '1', png]);
        return sharp(png).extract({ left: 0, top, width: 1280, height }).removeAlpha().raw().toBuffer();
      };
      expect(meanDifference(await frameOf(cutPath, 0, 80), await frameOf(burnIn, 0, 80))).toBeGreaterThan(8);
      expect(meanDifference(await frameOf(cutPath, 200, 400), await frameOf(burnIn, 200, 400))).toBeLessThan(3);
    });

    it(`at ${label} fps: the contact sheet shows the middle frame of every shot`, { timeout: 120_000 }, async () => {
      const root = await artifactsRoot();
      const takes = await twoTakes(root, rate);
      const { dir } = await buildDelivery(new LocalFolderStore(root), selection);
      const sheet = sharp(join(dir, `${FIXTURE_PROJECT.episode}_contact_sheet.png`));
      const { width, height, hasAlpha, density } = await sheet.metadata();
      // 137 dpi: printed at 100 %, the sheet is as wide as A4 landscape (297 mm), like the PDF's page.
      expect({ width, hasAlpha, density }).toEqual({ width: 1600, hasAlpha: false, density: 137 });
      // A row per take, under its label: shot 2 of SEQ01 (frames 48–119) is the first row's second cell; its middle is frame 84.
      const expected = join(root, 'expected.png');
      await runProcess(ffmpegPath(), ['-v', 'error', '-y', '-i', takes[0]!.videoPath, '-vf', `select=eq(n\\,84),scale=375:211`, '-frames:v', '1', expected]);
      const cell = await sheet.extract({ left: 20 + 375 + 20, top: 118 + 20 + 58, width: 375, height: 211 }).removeAlpha().raw().toBuffer();
      const reference = await sharp(expected).removeAlpha().raw().toBuffer();
      const wrongFrame = await sharp(await frameAt(takes[0]!.videoPath, 60, root)).removeAlpha().raw().toBuffer();
      expect(meanDifference(cell, reference)).toBeLessThan(meanDifference(cell, wrongFrame) / 3);
      expect(height).toBeGreaterThan(118 + 211);
    });
  }

  for (const rate of ['24000/1001', '24']) {
    it(`lists every file in manifest.json with its size and sha256 (${rate} fps)`, async () => {
      const root = await artifactsRoot();
      await twoTakes(root, rate);
      const { dir } = await buildDelivery(new LocalFolderStore(root), selection);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      const names = (await readdir(dir, { recursive: true })).filter((n) => n !== 'manifest.json' && n !== 'media').sort();
      expect(names).toEqual([
        'EP009.ale', 'EP009.edl', 'EP009.fcpxml', 'EP009.otio', 'EP009.otioz', 'EP009_contact_sheet.pdf', 'EP009_contact_sheet.png',
        'EP009_cut.mp4', 'EP009_cut_burnin.mp4', 'EP009_fcp7.xml', 'media/EP009_SEQ01_T02.mov', 'media/EP009_SEQ02_T01.mov', 'timeline.json',
      ]);
      expect(manifest.files.map((f: any) => f.path)).toEqual(names);
      for (const file of manifest.files) {
        const bytes = await readFile(join(dir, file.path));
        expect({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({ bytes: file.bytes, sha256: file.sha256 });
      }
      expect(manifest).toMatchObject({ version: 1, frameRate: rate, takes: [{ sequenceId: 'SEQ01', take: 2 }, { sequenceId: 'SEQ02', take: 1 }], totalSpendUsd: 2.5 });
    });
  }

  it('is whole wherever it is copied: every media reference of the OTIO, EDL and timeline.json resolves there; OTIO bundles it and reads its .otioz', { timeout: 600_000 }, async () => {
    const root = await artifactsRoot();
    const takes = await twoTakes(root, '24000/1001');
    const takeBytes = await readFile(takes[0]!.videoPath);
    const { dir } = await buildDelivery(new LocalFolderStore(root), selection);
    // The takes' own files are only read: the delivery cannot change a take.
    expect((await readFile(takes[0]!.videoPath)).equals(takeBytes)).toBe(true);
    const elsewhere = join(await artifactsRoot(), 'copied-v001');
    await cp(dir, elsewhere, { recursive: true });
    await rm(root, { recursive: true, force: true });
    const reading = await readCopiedDelivery(elsewhere, 'EP009', 24000 / 1001, join(elsewhere, '..', 'bundled-by-otio.otioz'));
    const expected = [{ url: 'media/EP009_SEQ01_T02.mov', exists: true }, { url: 'media/EP009_SEQ02_T01.mov', exists: true }];
    expect(reading.otio).toEqual(expected);
    expect(reading.edl).toEqual(expected);
    expect(reading.audio).toEqual({ otio: expected, edl: expected });
    expect(reading.bundled_files).toEqual(['content.otio', 'media/EP009_SEQ01_T02.mov', 'media/EP009_SEQ02_T01.mov', 'version.txt']);
    expect(reading.ours).toEqual({ clips: ['SEQ01 t002', 'SEQ02 t001'], urls: expected.map((e) => e.url), files: reading.bundled_files });
    const timeline = JSON.parse(await readFile(join(elsewhere, 'timeline.json'), 'utf8'));
    expect(timeline.entries.map((e: { source: string }) => e.source)).toEqual(expected.map((e) => e.url));
    const manifest = JSON.parse(await readFile(join(elsewhere, 'manifest.json'), 'utf8'));
    for (const file of manifest.files) expect((await stat(join(elsewhere, file.path))).size).toBe(file.bytes);
  });

  it('puts a long episode\'s contact sheet on pages of ten takes, in the PNGs and the PDF, every take in the text', { timeout: 600_000 }, async () => {
    const root = await artifactsRoot();
    const { episode } = FIXTURE_PROJECT;
    const ids = Array.from({ length: 23 }, (_, i) => `SEQ${String(i + 1).padStart(2, '0')}`);
    for (const sequenceId of ids) await writeApprovedTake(root, { sequenceId, take: 1, rate: '24', shots: [1] });
    const { dir } = await buildDelivery(new LocalFolderStore(root), { ...FIXTURE_PROJECT, sequences: ids.map((sequenceId) => ({ sequenceId })) });
    const sheets = (await readdir(dir)).filter((name) => name.includes('_contact_sheet')).sort();
    expect(sheets).toEqual([`${episode}_contact_sheet.pdf`, `${episode}_contact_sheet.png`, `${episode}_contact_sheet_p2.png`, `${episode}_contact_sheet_p3.png`]);
    const heights = await Promise.all(sheets.slice(1).map(async (name) => (await sharp(join(dir, name)).metadata()).height!));
    expect(heights[1]).toBe(heights[0]);
    expect(heights[2]).toBeLessThan(heights[0]!);
    const reading = await readWithReference({ otio: join(dir, `${episode}.otio`), edl: join(dir, `${episode}.edl`), pdf: join(dir, `${episode}_contact_sheet.pdf`) }, 24);
    expect(reading.pdf.pages).toBe(3);
    ids.forEach((id, i) => expect(reading.pdf.text[Math.floor(i / 10)], id).toContain(`${id} ${takeFolderName(1)}`));
    expect(reading.pdf.text[2]).toContain('page 3 of 3');
  });

  it('makes no new version for the same approved takes, and the next version when one changes', async () => {
    const root = await artifactsRoot();
    await twoTakes(root, '24');
    expect((await buildDelivery(new LocalFolderStore(root), selection)).created).toBe(true);
    expect(await buildDelivery(new LocalFolderStore(root), selection)).toMatchObject({ created: false, version: 1 });
    await writeApprovedTake(root, { sequenceId: 'SEQ02', take: 2, rate: '24', shots: [4], width: 1280, height: 720 });
    expect(await buildDelivery(new LocalFolderStore(root), selection)).toMatchObject({ created: true, version: 2 });
    const versions = await listDeliveries(new LocalFolderStore(root), FIXTURE_PROJECT.projectId, FIXTURE_PROJECT.episode);
    expect(versions.map((v) => [v.name, v.takes.map((t) => t.take)])).toEqual([['v001', [2, 1]], ['v002', [2, 2]]]);
  });
});

describe('two deliveries of the same takes at once', () => {
  it('make one version: the second finds the first one and makes none', async () => {
    const root = await artifactsRoot();
    await twoTakes(root, '24');
    const results = await Promise.all([buildDelivery(new LocalFolderStore(root), selection), buildDelivery(new LocalFolderStore(root), selection)]);
    expect(results.map((r) => [r.version, r.created]).sort()).toEqual([[1, false], [1, true]]);
    expect(await readdir(deliveryDir(root))).toEqual(['v001']);
  });
});

describe('versions delivered before manifests', () => {
  it('count by the takes in their .signature, unless their cut was never written', async () => {
    const root = await artifactsRoot();
    await twoTakes(root, '24');
    const oldVersion = join(deliveryDir(root), 'v001');
    await mkdir(oldVersion, { recursive: true });
    await writeFile(join(oldVersion, '.signature'), JSON.stringify([['SEQ01', 2], ['SEQ02', 1]]));
    expect(await buildDelivery(new LocalFolderStore(root), selection)).toMatchObject({ created: true, version: 2 });
    await writeFile(join(oldVersion, 'EP009_cut.mp4'), 'an old cut');
    await rm(join(deliveryDir(root), 'v002'), { recursive: true });
    expect(await buildDelivery(new LocalFolderStore(root), selection)).toMatchObject({ created: false, version: 1 });
  });
});

describe('a delivery that cannot be made', () => {
  async function expectRefusal(root: string, refusal: DeliveryRefused['refusal'], message: RegExp): Promise<void> {
    const err = await buildDelivery(new LocalFolderStore(root), selection).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryRefused);
    expect((err as DeliveryRefused).refusal).toBe(refusal);
    expect((err as Error).message).toMatch(message);
    const left = await readdir(deliveryDir(root)).catch(() => []);
    expect(left.filter((n) => n !== '.keep')).toEqual([]);
  }

  it('refuses a missing approved take file, naming it', async () => {
    const root = await artifactsRoot();
    const [seq01] = await twoTakes(root, '24');
    await rm(seq01!.videoPath);
    await expectRefusal(root, 'take_missing', /SEQ01 take 2 is approved but its video is missing: .*t002\/video\.mp4\. Restore/);
  });

  it('refuses takes at different frame rates and says what to do', async () => {
    const root = await artifactsRoot();
    await writeApprovedTake(root, { sequenceId: 'SEQ01', take: 2, rate: '24', shots: [2] });
    await writeApprovedTake(root, { sequenceId: 'SEQ02', take: 1, rate: '24000/1001', shots: [2] });
    await expectRefusal(root, 'mixed_formats', /SEQ01 take 2 24 fps, SEQ02 take 1 23\.976 fps.*Retake SEQ02 take 1 .* or conform its video\.mp4 to 24 fps/);
  });

  it('refuses sequences without an approved take, listing them', async () => {
    const root = await artifactsRoot();
    await writeApprovedTake(root, { sequenceId: 'SEQ01', take: 1, rate: '24', shots: [2], approved: false });
    await expectRefusal(root, 'not_approved', /SEQ01, SEQ02 have no approved take.*npx recoil approve handoff-test EP009 SEQ01 --take N/);
  });

  it('refuses a delivery folder it cannot write, leaving nothing behind', async () => {
    const root = await artifactsRoot();
    await twoTakes(root, '24');
    await mkdir(join(deliveryDir(root), '..'), { recursive: true });
    await writeFile(deliveryDir(root), 'a file where the delivery folder should be');
    const err = await buildDelivery(new LocalFolderStore(root), selection).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryRefused);
    expect((err as DeliveryRefused).message).toMatch(/cannot write the delivery into .*delivery \(E\w+: .*\)\. Give this process write access/);
    expect(await readFile(deliveryDir(root), 'utf8')).toBe('a file where the delivery folder should be');
  });
});

async function frameAt(video: string, frame: number, dir: string): Promise<string> {
  const out = join(dir, `frame-${frame}.png`);
  await runProcess(ffmpegPath(), ['-v', 'error', '-y', '-i', video, '-vf', `select=eq(n\\,${frame}),scale=375:211`, '-frames:v', '1', out]);
  return out;
}

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / Math.min(a.length, b.length);
}

describe('take.json', () => {
  it('gains the frame rate and frame count of a take that came back before they were recorded, when it is criticised', async () => {
    const root = await artifactsRoot();
    const dir = await writeApprovedTake(root, { sequenceId: 'SEQ01', take: 1, rate: '24000/1001', shots: [2] });
    const criticise = criticiseTakeActivity({ store: new LocalFolderStore(root), providers: {} as never, gridProviders: {} });
    await criticise({ ...FIXTURE_PROJECT, sequenceId: 'SEQ01', take: 1, expected: { durationSec: 2, aspectRatio: '16:9', resolution: { width: 320, height: 180 } } });
    const manifest = await readTakeJson(dir);
    expect(manifest.video).toMatchObject({ frameRate: '24000/1001', frameCount: 48 });
    expect(manifest.critics?.findings.length).toBeGreaterThan(0);
  });
});
