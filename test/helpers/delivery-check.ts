import { resolve } from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import { ffmpegPath, ffprobePath } from '../../src/activities/media/binaries.js';
import { probeVideo } from '../../src/activities/media/probe.js';
import { runProcess } from '../../src/activities/media/run-process.js';
import { takeFolderName } from '../../src/domain/ids.js';
import { framesPerSecond, framesToTimecode, parseFrameRate, type FrameRate } from '../../src/domain/timecode.js';
import { readNleFiles, readWithReference, type ReferenceReading, type ReferenceTimeline } from './otio-reference.js';

/** What a delivered version holds, sorted as readdir sorts them. */
export function deliveredFolder(episode: string): string[] {
  return [
    `${episode}.ale`, `${episode}.edl`, `${episode}.fcpxml`, `${episode}.otio`, `${episode}.otioz`,
    `${episode}_contact_sheet.pdf`, `${episode}_contact_sheet.png`, `${episode}_cut.mp4`, `${episode}_cut_burnin.mp4`, `${episode}_fcp7.xml`,
    'manifest.json', 'media', 'timeline.json',
  ];
}

export interface ExpectedTake {
  sequenceId: string;
  take: number;
  videoPath: string;
}

/**
 * The reference library judges a delivery: the OTIO timeline lasts as long as the cut by ffprobe
 * (within a frame), its clips are the approved takes whole on V1 and A1, and the EDL read back gives
 * the same events; each source holds its take's picture bit for bit with the EDL's reel and source
 * timecode and a 48 kHz stereo PCM A1; the cut and its burn-in copy start at 01:00:00:00; OTIO's FCP7,
 * FCPX and ALE adapters read our XMLs and log with the size, reels and positions; pypdf reads the
 * contact sheet PDF as one page holding the sheet (and a notes page when there are notes) with
 * every take's id and record in-point in its text.
 */
export async function expectReferenceToAccept(dir: string, episode: string, takes: ExpectedTake[], { withNotes = false } = {}): Promise<ReferenceReading> {
  const cutPath = resolve(dir, `${episode}_cut.mp4`);
  const cut = await probeVideo(cutPath);
  const probes = await Promise.all(takes.map((t) => probeVideo(t.videoPath)));
  const rate = parseFrameRate(probes[0]!.frameRate)!;
  const fps = framesPerSecond(rate);
  const files = { otio: resolve(dir, `${episode}.otio`), edl: resolve(dir, `${episode}.edl`), pdf: resolve(dir, `${episode}_contact_sheet.pdf`) };
  const reading = await readWithReference(files, fps);

  expect(reading.otio_version).toBe('0.18.1');
  expect(reading.otio.video_tracks).toBe(1);
  expect(reading.otio.audio_tracks).toEqual(['A1']);
  expect(Math.abs(reading.otio.duration_sec - cut.durationSec)).toBeLessThanOrEqual(1 / fps);
  expect(reading.otio.clips.map((c) => c.name)).toEqual(takes.map((t) => `${t.sequenceId} ${takeFolderName(t.take)}`));
  reading.otio.clips.forEach((clip, i) => {
    expect(clip.start).toBe(0);
    expect(clip.duration).toBe(probes[i]!.frameCount);
    expect(clip.rate).toBe(fps);
    expect(clip.target_url).toBe(`media/${episode}_${takes[i]!.sequenceId}_T${String(takes[i]!.take).padStart(2, '0')}.mov`);
    expect(clip.recoil).toMatchObject({ sequence: takes[i]!.sequenceId, take: takes[i]!.take });
  });
  expect(events(reading.otio, 'audio_clips')).toEqual(events(reading.otio));
  expect(new Set(reading.otio.clips.map((c) => c.reel)).size).toBe(takes.length);
  expect(events(reading.edl)).toEqual(events(reading.otio));
  // Channel B: each EDL event is on picture and A1.
  expect(reading.edl.audio_tracks).toEqual(['A1']);
  expect(events(reading.edl, 'audio_clips')).toEqual(events(reading.otio));
  // Each planned shot's start is an EDL locator on the frame where the OTIO's shot marker starts.
  reading.otio.clips.forEach((clip, i) => expect(shotStarts(reading.edl.clips[i]!)).toEqual(shotStarts(clip)));
  expect(reading.edl.duration_frames).toBe(reading.otio.duration_frames);

  for (const [i, clip] of reading.otio.clips.entries()) {
    const source = resolve(dir, clip.target_url!);
    expect(await pictureHash(source)).toBe(await pictureHash(takes[i]!.videoPath));
    expect(await timecodeAndReel(source)).toEqual({ timecode: '00:00:00:00', reel: clip.reel });
    expect(await soundOf(source)).toMatchObject({ codec: 'pcm_s16le', sampleRate: 48000, channels: 2 });
    expect(Math.abs((await soundOf(source)).durationSec - clip.duration / fps)).toBeLessThan(0.05);
  }
  expect((await timecodeAndReel(cutPath)).timecode).toBe('01:00:00:00');
  const burnIn = resolve(dir, `${episode}_cut_burnin.mp4`);
  expect(await timecodeAndReel(burnIn)).toMatchObject({ timecode: '01:00:00:00' });
  expect((await probeVideo(burnIn)).frameCount).toBe(cut.frameCount);

  await expectNleFilesToAgree(dir, episode, reading, { rate, width: probes[0]!.width, height: probes[0]!.height });

  const sheet = await sharp(resolve(dir, `${episode}_contact_sheet.png`)).metadata();
  expect(reading.pdf).toMatchObject({ pages: withNotes ? 2 : 1, page_images: withNotes ? [1, 1] : [1], xref_exact: true, page_width: 842, images: [{ width: sheet.width, height: sheet.height, filter: '/DCTDecode', jpeg: true }] });
  expect(reading.pdf.page_height).toBeCloseTo((842 * sheet.height!) / sheet.width!, 0);
  const recordIns = recordStarts(reading.otio).map((frame) => framesToTimecode(frame, rate));
  takes.forEach((take, i) => {
    expect(reading.pdf.text[0]).toContain(`${take.sequenceId} ${takeFolderName(take.take)}`);
    expect(reading.pdf.text[0]).toContain(`rec in ${recordIns[i]}`);
  });
  expect(reading.pdf.info).toMatchObject({ Title: expect.stringContaining(`${episode} v`), Creator: 'Recoil Pipeline' });
  return reading;
}

/** FCP7 XML, FCPX XML and ALE, as OTIO's adapters read them, say what the OTIO says, and where the media is. */
async function expectNleFilesToAgree(dir: string, episode: string, reading: ReferenceReading, media: { rate: FrameRate; width: number; height: number }): Promise<void> {
  const nle = await readNleFiles(dir, episode);
  const names = reading.otio.clips.map((c) => c.name);
  const reels = reading.otio.clips.map((c) => c.reel);
  const durations = reading.otio.clips.map((c) => c.duration);
  const offsets = recordStarts(reading.otio).map((frame) => frame - recordStarts(reading.otio)[0]!);
  const size: [number, number] = [media.width, media.height];

  expect(nle.fcp7.format).toEqual(size);
  expect(nle.fcp7.sizes).toEqual(names.map(() => size));
  expect(nle.fcp7.reels).toEqual(reels);
  expect(nle.fcp7.start).toBe(recordStarts(reading.otio)[0]);
  expect(nle.fcp7.clips.map((c) => [c.name, c.record_start, c.duration, c.exists])).toEqual(names.map((name, i) => [name, offsets[i], durations[i], true]));
  expect(nle.fcp7.clips.every((c) => c.url.startsWith('file://localhost/'))).toBe(true);
  expect(nle.fcp7.audio_clips).toEqual(names);

  expect(nle.fcpx.format).toEqual(size);
  expect(nle.fcpx.reels).toEqual(reels);
  expect(nle.fcpx.audio).toEqual(names.map(() => ['1', '2', '48000']));
  // Spine offsets run on the sequence's clock, which starts at its tcStart (one hour), as Final Cut and Resolve write them.
  expect(nle.fcpx.tc_start).toBe(recordStarts(reading.otio)[0]);
  expect(nle.fcpx.spine).toEqual(names.map((name, i) => [name, recordStarts(reading.otio)[i], 0, durations[i]]));
  expect(nle.fcpx.clips.map((c) => [c.name, c.exists, c.markers.filter((m) => m.startsWith('shot ')).length])).toEqual(
    names.map((name, i) => [name, true, reading.otio.clips[i]!.markers.filter((m) => m.name.startsWith('shot ')).length]),
  );
  expect(nle.fcpx.clips.every((c) => c.url.startsWith('file:///'))).toBe(true);

  expect(nle.ale.header).toMatchObject({ FPS: String(Number(framesPerSecond(media.rate).toFixed(3))), VIDEO_FORMAT: media.height === 720 ? '720' : expect.any(String) });
  expect(nle.ale.tapes).toEqual(reels);
  expect(nle.ale.image_sizes).toEqual(names.map(() => `${media.width} x ${media.height}`));
  expect(nle.ale.clips.map((c) => [c.name, c.source_start, c.duration, c.exists])).toEqual(names.map((name, i) => [name, 0, durations[i], true]));
}

/** Record frame (from 00:00:00:00) where each clip starts: the timeline starts at one hour. */
function recordStarts(timeline: ReferenceTimeline): number[] {
  const fps = timeline.clips[0]!.rate;
  let at = Math.round(fps) * 3600;
  return timeline.clips.map((clip) => {
    const start = at;
    at += clip.duration;
    return start;
  });
}

function shotStarts(clip: ReferenceTimeline['clips'][number]): [number, number][] {
  return clip.markers.flatMap((m) => {
    const shot = /^shot (\d+)\b/i.exec(m.name);
    return shot ? [[Number(shot[1]), m.start] as [number, number]] : [];
  });
}

/** MD5 of the picture's packets: equal when a file carries the same picture stream, whatever its container. */
async function pictureHash(path: string): Promise<string> {
  const { stdout } = await runProcess(ffmpegPath(), ['-v', 'error', '-i', path, '-map', '0:v:0', '-c', 'copy', '-f', 'md5', '-']);
  return stdout.trim();
}

interface ProbeTags {
  streams: { codec_type: string; codec_name?: string; sample_rate?: string; channels?: number; duration?: string; tags?: Record<string, string> }[];
}

async function probeStreams(path: string): Promise<ProbeTags> {
  const { stdout } = await runProcess(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_streams', path]);
  return JSON.parse(stdout) as ProbeTags;
}

/** The timecode track's start and the reel written in it, as ffprobe reads them. */
async function timecodeAndReel(path: string): Promise<{ timecode?: string; reel?: string }> {
  const tmcd = (await probeStreams(path)).streams.find((s) => s.codec_type === 'data' && s.tags?.timecode);
  return { ...(tmcd?.tags?.timecode ? { timecode: tmcd.tags.timecode } : {}), ...(tmcd?.tags?.reel_name ? { reel: tmcd.tags.reel_name } : {}) };
}

export async function soundOf(path: string): Promise<{ codec?: string; sampleRate: number; channels?: number; durationSec: number }> {
  const audio = (await probeStreams(path)).streams.find((s) => s.codec_type === 'audio');
  if (!audio) throw new Error(`${path} has no sound`);
  return { codec: audio.codec_name, sampleRate: Number(audio.sample_rate), channels: audio.channels, durationSec: Number(audio.duration) };
}

/** Mean loudness in dBFS: silence reads -91, a test tone about -21. */
export async function meanVolume(path: string): Promise<number> {
  const { stderr } = await runProcess(ffmpegPath(), ['-hide_banner', '-i', path, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-']);
  const measured = /mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1];
  return measured === undefined ? -Infinity : Number(measured);
}

function events(timeline: ReferenceTimeline, track: 'clips' | 'audio_clips' = 'clips') {
  return timeline[track].map(({ name, reel, start, duration, target_url }) => ({ name, reel, start, duration, target_url }));
}
