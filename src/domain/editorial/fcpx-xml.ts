import { create } from 'xmlbuilder2';
import type { FrameRate } from '../timecode.js';
import { clipName, cutFrames, cutTitle, DELIVERED_AUDIO, noteLine, recordOffsets, recordStartFrame, SOURCE_START_FRAME, type CutClip, type EditorialCut } from './cut.js';

/** FCPXML's key for a clip's reel, as Final Cut Pro shows it in the Info inspector. */
const REEL_KEY = 'com.apple.proapps.studio.reel';

/**
 * The cut as Final Cut Pro X XML (fcpxml 1.8): a format with the takes' size and frame duration,
 * an asset per source (absolute `file://` URL, timecode from the source's start, reel in its
 * metadata, stereo sound), and a project whose spine holds an asset clip per take from 01:00:00:00,
 * with shot starts and notes as markers. Times are exact rationals of a second, as FCPXML requires.
 */
export function fcpxXml(cut: EditorialCut, deliveryUrl: string): string {
  const time = (frames: number) => rationalSeconds(frames, cut.rate);
  const offsets = recordOffsets(cut);
  const recordStart = recordStartFrame(cut);
  const assetId = (i: number) => `r${i + 2}`;
  const resources = {
    format: { '@id': 'r1', '@name': `Recoil ${cut.width}x${cut.height}`, '@frameDuration': time(1), '@width': cut.width, '@height': cut.height },
    asset: cut.clips.map((clip, i) => ({
      '@id': assetId(i),
      '@name': clipName(clip),
      '@src': new URL(clip.mediaPath, deliveryUrl).href,
      '@start': time(SOURCE_START_FRAME),
      '@duration': time(clip.frames),
      '@hasVideo': 1,
      '@format': 'r1',
      '@hasAudio': 1,
      '@audioSources': 1,
      '@audioChannels': DELIVERED_AUDIO.channels,
      '@audioRate': DELIVERED_AUDIO.sampleRate,
      metadata: { md: { '@key': REEL_KEY, '@value': clip.reel } },
    })),
  };
  const spine = {
    'asset-clip': cut.clips.map((clip, i) => ({
      '@name': clipName(clip),
      '@ref': assetId(i),
      '@offset': time(recordStart + offsets[i]!),
      '@start': time(SOURCE_START_FRAME),
      '@duration': time(clip.frames),
      '@tcFormat': 'NDF',
      marker: markers(clip, time),
    })),
  };
  const sequence = { '@format': 'r1', '@duration': time(cutFrames(cut)), '@tcStart': time(recordStart), '@tcFormat': 'NDF', '@audioLayout': 'stereo', '@audioRate': '48k', spine };
  const library = { event: { '@name': cutTitle(cut), project: { '@name': cutTitle(cut), sequence } } };
  return create({ version: '1.0', encoding: 'UTF-8' }).dtd({ name: 'fcpxml' }).ele({ fcpxml: { '@version': '1.8', resources, library } }).end({ prettyPrint: true }) + '\n';
}

function markers(clip: CutClip, time: (frames: number) => string) {
  return [
    ...clip.shots.map((shot) => ({ '@start': time(SOURCE_START_FRAME + shot.startFrame), '@duration': time(1), '@value': `shot ${shot.number}`, '@note': noteLine({ text: shot.prompt }) })),
    ...clip.notes.map((note) => ({ '@start': time(SOURCE_START_FRAME + note.startFrame), '@duration': time(note.frames), '@value': noteLine(note), '@note': `${note.by}, ${note.at.slice(0, 16).replace('T', ' ')}` })),
  ];
}

/** `frames` as FCPXML time: "0s", or seconds as a fraction ("1001/24000s" is one frame at 23.976). */
function rationalSeconds(frames: number, rate: FrameRate): string {
  return frames === 0 ? '0s' : `${frames * rate.den}/${rate.num}s`;
}
