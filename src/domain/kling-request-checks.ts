import type { BibleInput, CheckedElement, CheckedSequence, PlanInput } from './cross-checks.js';
import { didYouMean } from './did-you-mean.js';
import { repeats } from './repeats.js';
import { REFERENCE_LIMITS } from './shot-limits.js';
import type { ValidationIssue } from './validation-issue.js';

/*
 * What fal would refuse in a Kling request, caught before a cent is spent: how many references a
 * sequence sends, video elements and voices, image references the bible lacks, and start and end
 * frames that link sequences together.
 */

type Problem = Pick<ValidationIssue, 'message' | 'hint'>;

/** Bible rules: image reference ids are unique, and a voice needs the element's reference video. */
export function bibleReferenceProblems({ file, bible }: BibleInput): ValidationIssue[] {
  const duplicates = repeats(bible.image_references.map((r) => r.id)).map(({ index, first, value }) => ({
    file,
    path: `image_references[${index}].id`,
    message: `duplicate image reference id "${value}" (also image_references[${first}])`,
    hint: 'give each image reference its own id; plans refer to them by id',
  }));
  const voicesWithoutVideo = bible.elements.flatMap((element, i) =>
    element.voice_id !== undefined && element.video === undefined
      ? [
          {
            file,
            path: `elements[${i}].voice_id`,
            message: `element "${element.id ?? i}" has a voice but no reference video: fal binds a voice only to an element with a video`,
            hint: `add "video": "refs/${element.id ?? 'element'}.mp4" (a clip of the element) to the element, or remove voice_id`,
          },
        ]
      : [],
  );
  return [...duplicates, ...voicesWithoutVideo];
}

/** A sequence's image references exist once each, and all its references fit one Kling request. */
export function sequenceReferenceProblems({ file, plan }: PlanInput, { file: bibleFile, bible }: BibleInput): ValidationIssue[] {
  const knownImages = [...new Set(bible.image_references.flatMap((r) => (r.id === undefined ? [] : [r.id])))];
  const elementsById = new Map(bible.elements.flatMap((e) => (e.id === undefined ? [] : [[e.id, e] as const])));
  return plan.sequences.flatMap((sequence, i) => [
    ...repeats(sequence.image_references).map(({ index, first, value }) => ({
      file,
      path: `sequences[${i}].image_references[${index}]`,
      message: `image reference "${value}" is listed twice (also image_references[${first}])`,
      hint: 'list each image reference once; its position gives its @ImageN number',
    })),
    ...sequence.image_references.flatMap((id, j) =>
      id === undefined || knownImages.includes(id)
        ? []
        : [
            {
              file,
              path: `sequences[${i}].image_references[${j}]`,
              message: `unknown image reference "${id}": ${bibleFile} has no image reference with this id`,
              hint: knownImages.length === 0 ? `add it to image_references in ${bibleFile}` : `${didYouMean(id, knownImages)}known image references: ${knownImages.join(', ')}`,
            },
          ],
    ),
    ...referenceCountProblems(sequence, elementsById).map((problem) => ({ file, path: `sequences[${i}]`, ...problem })),
  ]);
}

/** Elements and image references together, counted as fal counts them; the fix names what to drop. */
function referenceCountProblems(sequence: CheckedSequence, elementsById: ReadonlyMap<string, CheckedElement>): Problem[] {
  const elements = [...new Set(sequence.elements.flatMap((id) => (id !== undefined && elementsById.has(id) ? [id] : [])))];
  const images = [...new Set(sequence.image_references.flatMap((id) => (id === undefined ? [] : [id])))];
  const withVideo = elements.filter((id) => elementsById.get(id)?.video !== undefined);
  const problems: Problem[] = [];
  if (withVideo.length > REFERENCE_LIMITS.maxVideoElements) {
    problems.push({
      message: `${withVideo.length} of this sequence's elements have a reference video (${withVideo.join(', ')}); a Kling request takes at most ${REFERENCE_LIMITS.maxVideoElements}`,
      hint: `keep the video of one of them here, or split the sequence`,
    });
  }
  const limit = withVideo.length > 0 ? REFERENCE_LIMITS.maxReferencesWithVideo : REFERENCE_LIMITS.maxReferences;
  const total = elements.length + images.length;
  if (total > limit) {
    const listed = [...elements.map((id) => `element ${id}`), ...images.map((id) => `image reference ${id}`)];
    const why = withVideo.length > 0 ? ` when an element has a reference video (${withVideo[0]})` : '';
    problems.push({
      message: `this sequence sends ${total} references (${elements.length} elements + ${images.length} image references); Kling O3 takes at most ${limit}${why}`,
      hint: `drop ${total - limit} of them (the last listed: ${listed.slice(limit).join(', ')}), or split the shots into two sequences`,
    });
  }
  return problems;
}

/**
 * `start_frame: { previous: true }` needs a sequence before it, `end_frame: { next: true }` one
 * after it with a start frame of its own to end on, and the two cannot point at each other.
 */
export function frameLinkProblems({ file, plan }: PlanInput): ValidationIssue[] {
  const { sequences } = plan;
  return sequences.flatMap((sequence, i) => {
    const problems: ValidationIssue[] = [];
    if (sequence.start_frame && 'previous' in sequence.start_frame && i === 0) {
      problems.push({
        file,
        path: `sequences[${i}].start_frame.previous`,
        message: 'the first sequence has no previous sequence to start from',
        hint: 'give it a start frame image or prompt, or move it after the sequence it continues',
      });
    }
    if (sequence.end_frame && 'next' in sequence.end_frame) {
      const next = sequences[i + 1];
      const problem = !next
        ? { message: 'the last sequence has no next sequence to end on', hint: 'give it an end frame image, or remove end_frame' }
        : !next.start_frame
          ? { message: `the next sequence (${next.id ?? i + 1}) has no start frame to end on`, hint: `give sequences[${i + 1}] a start_frame image or prompt, or use an end_frame image here` }
          : 'previous' in next.start_frame
            ? {
                message: `this sequence ends on the next one's start frame, which is this one's last frame: the two wait for each other`,
                hint: `keep one link: end_frame.next here, or start_frame.previous in sequences[${i + 1}]`,
              }
            : undefined;
      if (problem) problems.push({ file, path: `sequences[${i}].end_frame.next`, ...problem });
    }
    return problems;
  });
}
