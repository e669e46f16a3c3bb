import { join } from 'node:path';
import { sequenceArtifactsPath } from '../domain/ids.js';
import type { SequenceRef } from '../contract/activities.js';

export function sequenceDir(root: string, ref: SequenceRef): string {
  return join(root, sequenceArtifactsPath(ref.projectId, ref.episode, ref.sequenceId));
}

/** clean/: the chosen start frame (the seed's clean folder). */
export function cleanDir(root: string, ref: SequenceRef): string {
  return join(sequenceDir(root, ref), 'clean');
}
