import type { SequenceUnit } from './sequence-unit.js';

/** Every file of the project folder a sequence reads, as the plan and bible write them (relative paths). */
export function unitProjectFiles(unit: SequenceUnit): string[] {
  const files = [
    ...unit.elements.flatMap((e) => [e.frontalImage, ...e.referenceImages, ...(e.video ? [e.video] : [])]),
    ...(unit.imageReferences ?? []).map((r) => r.image),
    ...(unit.startFrame?.kind === 'image' ? [unit.startFrame.path] : []),
    ...(unit.endFrame?.kind === 'image' ? [unit.endFrame.path] : []),
  ];
  return [...new Set(files)];
}
