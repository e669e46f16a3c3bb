import { join } from 'node:path';
import { MANIFEST_FILE, readManifest, type TakeManifest } from '../store/takes/take-manifest.js';
import { takeDir } from '../store/takes/take-folders.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { NoteInput } from '../domain/note-schema.js';
import { shotAtFrame } from '../domain/take-notes.js';
import { framesPerSecond } from './pages/format.js';
import type { SequenceRef } from './refs.js';

/** take.json of one take, for what the workflow status does not carry (model, shots, frame rate). */
export function readTakeManifest(store: ArtifactStore, ref: SequenceRef, take: number): Promise<TakeManifest | undefined> {
  return readManifest(store, join(takeDir(store.root, { ...ref, take }), MANIFEST_FILE)).catch(() => undefined);
}

export interface ShotSpan {
  index: number;
  prompt: string;
  startSec: number;
  endSec: number;
}

/** Where each shot sits in the take, from the shots' planned durations. */
export function shotSpans(manifest: TakeManifest): ShotSpan[] {
  let start = 0;
  return manifest.inputs.shots.map((shot, i) => {
    const span = { index: i + 1, prompt: shot.prompt, startSec: start, endSec: start + shot.duration };
    start += shot.duration;
    return span;
  });
}

/**
 * A note placed on its take as take.json describes it: the frame must be one of the take's, and the
 * note names the shot it falls in. A refusal says why, in the reviewer's terms.
 */
export function placeNote(manifest: TakeManifest | undefined, note: NoteInput): { note: NoteInput } | { refused: string } {
  if (!manifest?.video) return { refused: `take ${note.take} has no finished video to put a note on` };
  const fps = framesPerSecond(manifest.video.frameRate);
  const frames = manifest.video.frameCount ?? Math.round(manifest.video.durationSec * fps);
  const last = Math.max(0, frames - 1);
  if (note.frame > last || (note.endFrame ?? 0) > last) return { refused: `the take's frames are 0–${last}; the note is at ${note.endFrame ?? note.frame}` };
  const shot = note.shot ?? shotAtFrame(note.frame, manifest.inputs.shots.map((s) => s.duration), fps);
  return { note: { ...note, ...(shot !== undefined ? { shot } : {}) } };
}
