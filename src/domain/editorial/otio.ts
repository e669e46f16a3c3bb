import { formatFrameRate, framesPerSecond, type FrameRate } from '../timecode.js';
import { clipName, cutTitle, DELIVERED_AUDIO, noteLine, recordStartFrame, SOURCE_START_FRAME, type CutClip, type CutNote, type EditorialCut } from './cut.js';

/**
 * The cut as an OpenTimelineIO timeline (JSON schema Timeline.1): V1 with a clip per approved take
 * pointing at its source by relative path, shots and reviewers' notes as markers, provenance in
 * metadata; A1 with the same sources' sound. Each source says what it is (size, rate, reel, sound)
 * where OTIO and its FCP and ALE adapters look for it.
 */
export function otioTimeline(cut: EditorialCut): object {
  return {
    OTIO_SCHEMA: 'Timeline.1',
    name: cutTitle(cut),
    metadata: { recoil: { project: cut.projectId, episode: cut.episode, version: cut.version, createdAt: cut.createdAt } },
    global_start_time: rationalTime(recordStartFrame(cut), cut.rate),
    tracks: {
      OTIO_SCHEMA: 'Stack.1',
      name: 'tracks',
      metadata: {},
      children: [
        { OTIO_SCHEMA: 'Track.1', name: 'V1', kind: 'Video', metadata: {}, children: cut.clips.map((clip) => videoClip(clip, cut)) },
        { OTIO_SCHEMA: 'Track.1', name: 'A1', kind: 'Audio', metadata: {}, children: cut.clips.map((clip) => audioClip(clip, cut)) },
      ],
    },
  };
}

export function otioJson(cut: EditorialCut): string {
  return `${JSON.stringify(otioTimeline(cut), null, 2)}\n`;
}

function videoClip(clip: CutClip, cut: EditorialCut): object {
  const { rate } = cut;
  return {
    OTIO_SCHEMA: 'Clip.1',
    name: clipName(clip),
    metadata: { cmx_3600: { reel: clip.reel }, ALE: aleFields(clip, cut), recoil: clip.provenance },
    source_range: sourceRange(clip, rate),
    media_reference: mediaReference(clip, cut),
    markers: [
      ...clip.shots.map((shot) => ({
        OTIO_SCHEMA: 'Marker.2',
        name: `shot ${shot.number}`,
        color: 'CYAN',
        comment: shot.prompt,
        metadata: { recoil: { shot: shot.number, prompt: shot.prompt } },
        marked_range: timeRange(shot.startFrame, shot.frames, rate),
      })),
      ...clip.notes.map((note) => noteMarker(note, rate)),
    ],
  };
}

function audioClip(clip: CutClip, cut: EditorialCut): object {
  return {
    OTIO_SCHEMA: 'Clip.1',
    name: clipName(clip),
    metadata: { cmx_3600: { reel: clip.reel } },
    source_range: sourceRange(clip, cut.rate),
    media_reference: mediaReference(clip, cut),
    markers: [],
  };
}

function sourceRange(clip: CutClip, rate: FrameRate): object {
  return timeRange(SOURCE_START_FRAME, clip.frames, rate);
}

/**
 * The source file: its picture's bounds in OTIO's unitless space (one unit tall, centred), the exact
 * pixels, rate and sound in metadata, and the sample characteristics the FCP XML adapter writes out.
 */
function mediaReference(clip: CutClip, cut: EditorialCut): object {
  const halfWidth = cut.width / cut.height / 2;
  return {
    OTIO_SCHEMA: 'ExternalReference.1',
    name: clipName(clip),
    target_url: clip.mediaPath,
    available_range: sourceRange(clip, cut.rate),
    available_image_bounds: { OTIO_SCHEMA: 'Box2d.1', min: { OTIO_SCHEMA: 'V2d.1', x: -halfWidth, y: -0.5 }, max: { OTIO_SCHEMA: 'V2d.1', x: halfWidth, y: 0.5 } },
    metadata: {
      recoil: { width: cut.width, height: cut.height, frameRate: formatFrameRate(cut.rate), reel: clip.reel, audio: clip.audio, ...DELIVERED_AUDIO },
      fcp_xml: {
        media: {
          video: { samplecharacteristics: { width: String(cut.width), height: String(cut.height) } },
          audio: { channelcount: String(DELIVERED_AUDIO.channels), samplecharacteristics: { depth: '16', samplerate: String(DELIVERED_AUDIO.sampleRate) } },
        },
      },
    },
  };
}

/** The columns the ALE adapter writes for the clip: the tape and the picture size it reads VIDEO_FORMAT from. */
function aleFields(clip: CutClip, cut: EditorialCut): Record<string, string> {
  return { Tape: clip.reel, 'Image Size': `${cut.width} x ${cut.height}` };
}

/** A note's marker: its text as the name (what NLEs list), who wrote it when as the comment, the drawing in metadata. */
function noteMarker(note: CutNote, rate: FrameRate): object {
  return {
    OTIO_SCHEMA: 'Marker.2',
    name: noteLine(note),
    color: note.colour,
    comment: `${note.by}, ${note.at.slice(0, 16).replace('T', ' ')}${note.shot !== undefined ? `, shot ${note.shot}` : ''}`,
    metadata: { recoil: { note: { by: note.by, at: note.at, text: note.text, ...(note.shot !== undefined ? { shot: note.shot } : {}), ...(note.drawing ? { drawing: note.drawing } : {}) } } },
    marked_range: timeRange(note.startFrame, note.frames, rate),
  };
}

function timeRange(startFrame: number, frames: number, rate: FrameRate): object {
  return { OTIO_SCHEMA: 'TimeRange.1', start_time: rationalTime(startFrame, rate), duration: rationalTime(frames, rate) };
}

function rationalTime(value: number, rate: FrameRate): object {
  return { OTIO_SCHEMA: 'RationalTime.1', rate: framesPerSecond(rate), value };
}
