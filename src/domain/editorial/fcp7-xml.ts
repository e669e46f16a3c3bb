import { create } from 'xmlbuilder2';
import { framesPerSecond, framesToTimecode, type FrameRate } from '../timecode.js';
import { clipName, cutFrames, cutTitle, DELIVERED_AUDIO, noteLine, recordOffsets, recordStartFrame, SOURCE_START_FRAME, type CutClip, type EditorialCut } from './cut.js';

/**
 * The cut as Final Cut Pro 7 XML (xmeml 5), the interchange Premiere Pro and Resolve import: one
 * sequence at the takes' rate and size, record timecode from 01:00:00:00, V1 and A1 with a clip per
 * take, each file with its absolute `file://localhost/` URL (what those importers expect; relink by
 * the unique file name once the folder moves), its timecode and reel, shot and note markers.
 */
export function fcp7Xml(cut: EditorialCut, deliveryUrl: string): string {
  const offsets = recordOffsets(cut);
  const rate = rateElement(cut.rate);
  const sequence = {
    '@id': 'sequence-1',
    name: cutTitle(cut),
    duration: cutFrames(cut),
    rate,
    timecode: timecodeElement(recordStartFrame(cut), cut.rate),
    media: {
      video: {
        format: { samplecharacteristics: { rate, width: cut.width, height: cut.height, pixelaspectratio: 'square', fielddominance: 'none' } },
        track: { clipitem: cut.clips.map((clip, i) => ({ ...clipItem(clip, i, offsets[i]!, cut, deliveryUrl), marker: markers(clip) })) },
      },
      audio: {
        format: { samplecharacteristics: { depth: 16, samplerate: DELIVERED_AUDIO.sampleRate } },
        track: {
          clipitem: cut.clips.map((clip, i) => ({ ...clipItem(clip, cut.clips.length + i, offsets[i]!, cut, deliveryUrl, i), sourcetrack: { mediatype: 'audio', trackindex: 1 } })),
        },
      },
    },
  };
  return create({ version: '1.0', encoding: 'UTF-8' }).dtd({ name: 'xmeml' }).ele({ xmeml: { '@version': '5', sequence } }).end({ prettyPrint: true }) + '\n';
}

/** A clip item; the audio item of a take refers back to the file its video item described (`fileOf`). */
function clipItem(clip: CutClip, index: number, recordOffset: number, cut: EditorialCut, deliveryUrl: string, fileOf?: number) {
  return {
    '@id': `clipitem-${index + 1}`,
    name: clipName(clip),
    duration: clip.frames,
    rate: rateElement(cut.rate),
    start: recordOffset,
    end: recordOffset + clip.frames,
    in: SOURCE_START_FRAME,
    out: SOURCE_START_FRAME + clip.frames,
    file: fileOf === undefined ? fileElement(clip, index, cut, deliveryUrl) : { '@id': `file-${fileOf + 1}` },
  };
}

function fileElement(clip: CutClip, index: number, cut: EditorialCut, deliveryUrl: string) {
  const url = new URL(clip.mediaPath, deliveryUrl);
  return {
    '@id': `file-${index + 1}`,
    name: clip.mediaPath.split('/').pop(),
    pathurl: `file://localhost${url.pathname}`,
    rate: rateElement(cut.rate),
    duration: clip.frames,
    timecode: { ...timecodeElement(SOURCE_START_FRAME, cut.rate), reel: { name: clip.reel } },
    media: {
      video: { samplecharacteristics: { rate: rateElement(cut.rate), width: cut.width, height: cut.height } },
      audio: { samplecharacteristics: { depth: 16, samplerate: DELIVERED_AUDIO.sampleRate }, channelcount: DELIVERED_AUDIO.channels },
    },
  };
}

/** Shot starts and notes at their source frames; `out` -1 is a point marker, a note's range keeps its end. */
function markers(clip: CutClip) {
  return [
    ...clip.shots.map((shot) => ({ name: `shot ${shot.number}`, comment: noteLine({ text: shot.prompt }), in: SOURCE_START_FRAME + shot.startFrame, out: -1 })),
    ...clip.notes.map((note) => ({
      name: noteLine(note),
      comment: `${note.by}, ${note.at.slice(0, 16).replace('T', ' ')}`,
      in: SOURCE_START_FRAME + note.startFrame,
      out: note.frames > 1 ? SOURCE_START_FRAME + note.startFrame + note.frames : -1,
    })),
  ];
}

/** FCP's rate: the whole-number timebase, NTSC when the real rate is 1000/1001 of it (23.976, 29.97). */
function rateElement(rate: FrameRate) {
  return { timebase: Math.round(framesPerSecond(rate)), ntsc: rate.den === 1001 ? 'TRUE' : 'FALSE' };
}

function timecodeElement(frame: number, rate: FrameRate) {
  return { rate: rateElement(rate), string: framesToTimecode(frame, rate), frame, displayformat: 'NDF' };
}
