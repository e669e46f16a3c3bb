import { framesPerSecond, hoursToFrames, type FrameRate } from '../timecode.js';
import { clipName, cutTitle, noteLine, type CutClip, type CutNote, type EditorialCut } from './cut.js';

/**
 * The cut as an OpenTimelineIO timeline (JSON schema Timeline.1): one video track, a clip per
 * approved take pointing at its video by relative path, shots and reviewers' notes as markers,
 * provenance in metadata.
 */
export function otioTimeline(cut: EditorialCut): object {
  return {
    OTIO_SCHEMA: 'Timeline.1',
    name: cutTitle(cut),
    metadata: { recoil: { project: cut.projectId, episode: cut.episode, version: cut.version, createdAt: cut.createdAt } },
    global_start_time: rationalTime(hoursToFrames(1, cut.rate), cut.rate),
    tracks: {
      OTIO_SCHEMA: 'Stack.1',
      name: 'tracks',
      metadata: {},
      children: [{ OTIO_SCHEMA: 'Track.1', name: 'V1', kind: 'Video', metadata: {}, children: cut.clips.map((clip) => otioClip(clip, cut.rate)) }],
    },
  };
}

export function otioJson(cut: EditorialCut): string {
  return `${JSON.stringify(otioTimeline(cut), null, 2)}\n`;
}

function otioClip(clip: CutClip, rate: FrameRate): object {
  const whole = timeRange(0, clip.frames, rate);
  return {
    OTIO_SCHEMA: 'Clip.1',
    name: clipName(clip),
    metadata: { cmx_3600: { reel: clip.reel }, recoil: clip.provenance },
    source_range: whole,
    media_reference: { OTIO_SCHEMA: 'ExternalReference.1', name: clipName(clip), metadata: {}, target_url: clip.mediaPath, available_range: whole },
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
