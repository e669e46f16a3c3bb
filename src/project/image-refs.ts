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
  return [
    ...bible.elements.flatMap((element, i) => [
      ...present(file, `elements[${i}].frontal_image`, element.frontal_image),
      ...element.reference_images.flatMap((image, j) => present(file, `elements[${i}].reference_images[${j}]`, image)),
    ]),
    ...bible.image_references.flatMap((reference, i) => present(file, `image_references[${i}].image`, reference.image)),
  ];
}

function planImageRefs(file: string, plan: PlanDraft): ImageRef[] {
  return plan.sequences.flatMap((sequence, i) => [
    ...(sequence.start_frame && 'image' in sequence.start_frame ? present(file, `sequences[${i}].start_frame.image`, sequence.start_frame.image) : []),
    ...(sequence.end_frame && 'image' in sequence.end_frame ? present(file, `sequences[${i}].end_frame.image`, sequence.end_frame.image) : []),
  ]);
}

/** Where the bible points at a reference video. */
export function videoRefs(bible: { file: string; bible: BibleDraft } | undefined): ImageRef[] {
  return bible ? bible.bible.elements.flatMap((element, i) => present(bible.file, `elements[${i}].video`, element.video)) : [];
}

function present(file: string, path: string, image: string | undefined): ImageRef[] {
  return image === undefined ? [] : [{ file, path, image }];
}
