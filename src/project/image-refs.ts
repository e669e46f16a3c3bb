import type { BibleDraft, PlanDraft } from './drafts.js';

/** One place a file of the project points at an image. */
export interface ImageRef {
  file: string;
  /** JSON path of the reference, e.g. elements[0].reference_images[1] */
  path: string;
  /** The path as written, relative to the project folder. */
  image: string;
}

export function imageRefs(
  bible: { file: string; bible: BibleDraft } | undefined,
  plans: ReadonlyArray<{ file: string; plan: PlanDraft }>,
): ImageRef[] {
  return [...(bible ? bibleImageRefs(bible.file, bible.bible) : []), ...plans.flatMap((p) => planImageRefs(p.file, p.plan))];
}

function bibleImageRefs(file: string, bible: BibleDraft): ImageRef[] {
  return bible.elements.flatMap((element, i) => [
    ...present(file, `elements[${i}].frontal_image`, element.frontal_image),
    ...element.reference_images.flatMap((image, j) => present(file, `elements[${i}].reference_images[${j}]`, image)),
  ]);
}

function planImageRefs(file: string, plan: PlanDraft): ImageRef[] {
  return plan.sequences.flatMap((sequence, i) => {
    const frame = sequence.start_frame;
    return frame && 'image' in frame ? present(file, `sequences[${i}].start_frame.image`, frame.image) : [];
  });
}

function present(file: string, path: string, image: string | undefined): ImageRef[] {
  return image === undefined ? [] : [{ file, path, image }];
}
