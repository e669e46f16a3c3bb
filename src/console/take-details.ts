import { join } from 'node:path';
import { MANIFEST_FILE, readManifest, type TakeManifest } from '../activities/takes/take-manifest.js';
import { takeDir } from '../activities/takes/take-folders.js';
import type { SequenceRef } from './refs.js';

/** take.json of one take, for what the workflow status does not carry (model, shots, frame rate). */
export function readTakeManifest(root: string, ref: SequenceRef, take: number): Promise<TakeManifest | undefined> {
  return readManifest(join(takeDir(root, { ...ref, take }), MANIFEST_FILE)).catch(() => undefined);
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
