import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import { probeVideo } from '../../src/activities/media/probe.js';
import { takeFolderName } from '../../src/domain/ids.js';
import { framesPerSecond, parseFrameRate } from '../../src/domain/timecode.js';
import { readWithReference, type ReferenceReading, type ReferenceTimeline } from './otio-reference.js';

export interface ExpectedTake {
  sequenceId: string;
  take: number;
  videoPath: string;
}

/**
 * The reference library judges a delivery: the OTIO timeline lasts as long as the cut by ffprobe
 * (within a frame), its clips are the approved takes whole, and the EDL read back gives the same events;
 * pypdf reads the contact sheet PDF as one page holding the sheet (and a notes page when there are notes).
 */
export async function expectReferenceToAccept(dir: string, episode: string, takes: ExpectedTake[], { withNotes = false } = {}): Promise<ReferenceReading> {
  const cut = await probeVideo(resolve(dir, `${episode}_cut.mp4`));
  const probes = await Promise.all(takes.map((t) => probeVideo(t.videoPath)));
  const rate = parseFrameRate(probes[0]!.frameRate)!;
  const fps = framesPerSecond(rate);
  const files = { otio: resolve(dir, `${episode}.otio`), edl: resolve(dir, `${episode}.edl`), pdf: resolve(dir, `${episode}_contact_sheet.pdf`) };
  const reading = await readWithReference(files, fps);

  expect(reading.otio_version).toBe('0.18.1');
  expect(reading.otio.video_tracks).toBe(1);
  expect(Math.abs(reading.otio.duration_sec - cut.durationSec)).toBeLessThanOrEqual(1 / fps);
  expect(reading.otio.clips.map((c) => c.name)).toEqual(takes.map((t) => `${t.sequenceId} ${takeFolderName(t.take)}`));
  reading.otio.clips.forEach((clip, i) => {
    expect(clip.start).toBe(0);
    expect(clip.duration).toBe(probes[i]!.frameCount);
    expect(clip.rate).toBe(fps);
    expect(clip.target_url).toBe(`media/${episode}_${takes[i]!.sequenceId}_T${String(takes[i]!.take).padStart(2, '0')}.mp4`);
    expect(clip.recoil).toMatchObject({ sequence: takes[i]!.sequenceId, take: takes[i]!.take });
  });
  for (const [i, clip] of reading.otio.clips.entries()) expect(await sha256Of(resolve(dir, clip.target_url!))).toBe(await sha256Of(takes[i]!.videoPath));
  expect(new Set(reading.otio.clips.map((c) => c.reel)).size).toBe(takes.length);
  expect(events(reading.edl)).toEqual(events(reading.otio));
  // Each planned shot's start is an EDL locator on the frame where the OTIO's shot marker starts.
  reading.otio.clips.forEach((clip, i) => expect(shotStarts(reading.edl.clips[i]!)).toEqual(shotStarts(clip)));
  expect(reading.edl.duration_frames).toBe(reading.otio.duration_frames);

  const sheet = await sharp(resolve(dir, `${episode}_contact_sheet.png`)).metadata();
  expect(reading.pdf).toMatchObject({ pages: withNotes ? 2 : 1, page_images: withNotes ? [1, 1] : [1], xref_exact: true, page_width: 842, images: [{ width: sheet.width, height: sheet.height, filter: '/DCTDecode', jpeg: true }] });
  expect(reading.pdf.page_height).toBeCloseTo((842 * sheet.height!) / sheet.width!, 0);
  return reading;
}

function shotStarts(clip: ReferenceTimeline['clips'][number]): [number, number][] {
  return clip.markers.flatMap((m) => {
    const shot = /^shot (\d+)\b/i.exec(m.name);
    return shot ? [[Number(shot[1]), m.start] as [number, number]] : [];
  });
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

function events(timeline: ReferenceTimeline) {
  return timeline.clips.map(({ name, reel, start, duration, target_url }) => ({ name, reel, start, duration, target_url }));
}
