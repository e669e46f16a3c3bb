import { closestMatch, didYouMean } from './did-you-mean.js';
import { MODEL_NAMES, isVideoModel, type ModelName } from './models.js';
import { SHOT_LIMITS } from './shot-limits.js';
import { repeats } from './repeats.js';
import { bibleReferenceProblems, frameLinkProblems, sequenceReferenceProblems } from './kling-request-checks.js';
import type { ValidationIssue } from './validation-issue.js';

/*
 * The rules a schema can't express alone: they look across elements, sequences and files.
 * They read only the fields below, each possibly missing: the loader also runs them on files the
 * schema refused (with the refused fields left out), so one run reports every problem without
 * repeating the schema's own. A fully parsed Project, Bible or Plan fits these shapes as is.
 */

export interface CheckedElement {
  id?: string;
  trigger?: string;
  /** The element has a trigger the schema refused; prompts may well be using it. */
  unreadableTrigger?: boolean;
  /** A reference video path, when the element has one. */
  video?: string;
  voice_id?: string;
}

/** A style or location picture; prompts name it by trigger like an element, Kling calls it @ImageN. */
export type CheckedImageReference = Pick<CheckedElement, 'id' | 'trigger' | 'unreadableTrigger'>;

export type CheckedFrameLink = { prompt: string } | { image: string } | { previous: true } | { next: true };

export interface CheckedShot {
  prompt?: string;
  duration?: number;
}

export interface CheckedSequence {
  id?: string;
  model?: ModelName;
  elements: ReadonlyArray<string | undefined>;
  image_references: ReadonlyArray<string | undefined>;
  start_frame?: CheckedFrameLink;
  end_frame?: CheckedFrameLink;
  shots: ReadonlyArray<CheckedShot>;
}

export interface CheckedPlan {
  episode?: string;
  sequences: ReadonlyArray<CheckedSequence>;
}

export interface CrossCheckInput {
  project?: { file: string; project: { default_model?: ModelName } };
  bible?: { file: string; bible: { elements: ReadonlyArray<CheckedElement>; image_references: ReadonlyArray<CheckedImageReference> } };
  plans: ReadonlyArray<{ file: string; plan: CheckedPlan }>;
}

export type BibleInput = NonNullable<CrossCheckInput['bible']>;
export type PlanInput = CrossCheckInput['plans'][number];

/** Every cross-file rule; the bible rules are skipped when the bible could not be read at all. */
export function crossCheck(input: CrossCheckInput): ValidationIssue[] {
  const { project, bible, plans } = input;
  return [
    ...(project ? nonVideoDefaultModel(project.file, project.project.default_model) : []),
    ...(bible ? [...duplicateElementIds(bible), ...duplicateTriggers(bible), ...bibleReferenceProblems(bible)] : []),
    ...duplicateEpisodes(plans),
    ...plans.flatMap((plan) => [
      ...duplicateSequenceIds(plan),
      ...repeatedSequenceElements(plan),
      ...overlongSequences(plan),
      ...nonVideoSequenceModels(plan),
      ...frameLinkProblems(plan),
      ...(bible ? [...unknownSequenceElements(plan, bible), ...strayTriggers(plan, bible), ...sequenceReferenceProblems(plan, bible)] : []),
    ]),
  ];
}

function duplicateElementIds({ file, bible }: BibleInput): ValidationIssue[] {
  return repeats(bible.elements.map((e) => e.id)).map(({ index, first, value }) => ({
    file,
    path: `elements[${index}].id`,
    message: `duplicate element id "${value}" (also elements[${first}])`,
    hint: 'give each element its own id; plans refer to elements by id',
  }));
}

/** A trigger must name one element, and must not look like the @ElementN the pipeline writes itself. */
function duplicateTriggers({ file, bible }: BibleInput): ValidationIssue[] {
  const named = triggerHolders(bible);
  const triggers = named.map((n) => n.trigger);
  const duplicates = repeats(triggers).map(({ index, first, value }) => ({
    file,
    path: `${named[index]!.path}.trigger`,
    message: `duplicate trigger "${value}" (also ${named[first]!.path})`,
    hint: 'give each element and image reference its own trigger, so a prompt names exactly one',
  }));
  const reserved = triggers.flatMap((trigger, index) =>
    trigger !== undefined && isElementToken(trigger)
      ? [
          {
            file,
            path: `${named[index]!.path}.trigger`,
            message: `trigger "${trigger}" looks like the pipeline's own @ElementN / @ImageN numbering`,
            hint: 'choose a trigger named after the element, e.g. "@maya"',
          },
        ]
      : [],
  );
  return [...duplicates, ...reserved];
}

function duplicateEpisodes(plans: CrossCheckInput['plans']): ValidationIssue[] {
  return repeats(plans.map((p) => p.plan.episode)).map(({ index, first, value }) => ({
    file: plans[index]?.file ?? '',
    path: 'episode',
    message: `episode "${value}" is also the episode of ${plans[first]?.file ?? 'another plan'}`,
    hint: 'each episode has exactly one plan: rename the episode or remove the duplicate file',
  }));
}

function duplicateSequenceIds({ file, plan }: PlanInput): ValidationIssue[] {
  return repeats(plan.sequences.map((s) => s.id)).map(({ index, first, value }) => ({
    file,
    path: `sequences[${index}].id`,
    message: `duplicate sequence id "${value}" (also sequences[${first}])`,
    hint: 'give each sequence its own id, e.g. SEQ01, SEQ02…; it names the sequence\'s workflow and folder',
  }));
}

function repeatedSequenceElements({ file, plan }: PlanInput): ValidationIssue[] {
  return plan.sequences.flatMap((sequence, i) =>
    repeats(sequence.elements).map(({ index, first, value }) => ({
      file,
      path: `sequences[${i}].elements[${index}]`,
      message: `element "${value}" is listed twice (also elements[${first}])`,
      hint: 'list each element once; its position gives its @ElementN number',
    })),
  );
}

function unknownSequenceElements({ file, plan }: PlanInput, { file: bibleFile, bible }: BibleInput): ValidationIssue[] {
  const known = knownIds(bible.elements);
  return plan.sequences.flatMap((sequence, i) =>
    sequence.elements.flatMap((id, j) =>
      id === undefined || known.includes(id)
        ? []
        : [
            {
              file,
              path: `sequences[${i}].elements[${j}]`,
              message: `unknown element "${id}": ${bibleFile} has no element with this id`,
              hint: `${didYouMean(id, known)}${knownIdsHint(known, bibleFile)}`,
            },
          ],
    ),
  );
}

/** Kling multi-shot renders at most 15 s per call; each shot alone is checked by the schema. */
function overlongSequences({ file, plan }: PlanInput): ValidationIssue[] {
  return plan.sequences.flatMap((sequence, i) => {
    const durations = sequence.shots.flatMap((shot) => (shot.duration === undefined ? [] : [shot.duration]));
    if (durations.length < sequence.shots.length) return [];
    const total = durations.reduce((sum, d) => sum + d, 0);
    if (total <= SHOT_LIMITS.maxTotalDuration) return [];
    return [
      {
        file,
        path: `sequences[${i}].shots`,
        message: `the shots last ${total} s in total; a sequence lasts at most ${SHOT_LIMITS.maxTotalDuration} s`,
        hint: 'shorten some shots, or move shots into a new sequence',
      },
    ];
  });
}

function nonVideoSequenceModels({ file, plan }: PlanInput): ValidationIssue[] {
  return plan.sequences.flatMap((sequence, i) =>
    sequence.model === undefined || isVideoModel(sequence.model)
      ? []
      : [{ file, path: `sequences[${i}].model`, ...nonVideoModelProblem(sequence.model) }],
  );
}

function nonVideoDefaultModel(file: string, model: ModelName | undefined): ValidationIssue[] {
  return model === undefined || isVideoModel(model) ? [] : [{ file, path: 'default_model', ...nonVideoModelProblem(model) }];
}

/**
 * A trigger in a prompt is only rewritten to @ElementN when its element is in the sequence, so any
 * other `@word` would reach the model as literal text.
 */
function strayTriggers({ file, plan }: PlanInput, { file: bibleFile, bible }: BibleInput): ValidationIssue[] {
  const owners = triggerOwners(bible);
  const known = knownIds(bible.elements);
  const ownersComplete = triggersSound([...bible.elements, ...bible.image_references]);
  return plan.sequences.flatMap((sequence, i) => {
    const misspelt = misspeltElements(sequence, known);
    const context = { owners, ownersComplete, bibleFile, sequence, sequenceIndex: i, misspelt };
    return sequence.shots.flatMap((shot, k) =>
      promptTriggers(shot.prompt ?? '').flatMap((trigger) => {
        const problem = strayTriggerProblem(trigger, context);
        return problem ? [{ file, path: `sequences[${i}].shots[${k}].prompt`, ...problem }] : [];
      }),
    );
  });
}

function triggersSound(elements: ReadonlyArray<CheckedElement>): boolean {
  return !elements.some((e) => e.unreadableTrigger) && repeats(elements.map((e) => e.trigger)).length === 0;
}

/** Elements a sequence most likely meant by its unknown ids: their triggers are already explained by that typo. */
function misspeltElements(sequence: CheckedSequence, known: string[]): Set<string> {
  return new Set(
    sequence.elements.flatMap((id) => {
      const meant = id === undefined || known.includes(id) ? undefined : closestMatch(id, known);
      return meant === undefined ? [] : [meant];
    }),
  );
}

type Problem = Pick<ValidationIssue, 'message' | 'hint'>;

/** Who a trigger belongs to, and which of the sequence's lists must name it. */
interface TriggerOwner {
  id: string;
  list: 'elements' | 'image_references';
}

interface TriggerContext {
  owners: Map<string, TriggerOwner>;
  /** False while a bible trigger is invalid or taken twice: an unknown `@word` is then most likely that one. */
  ownersComplete: boolean;
  bibleFile: string;
  sequence: CheckedSequence;
  sequenceIndex: number;
  misspelt: Set<string>;
}

function strayTriggerProblem(trigger: string, context: TriggerContext): Problem | undefined {
  const { owners, ownersComplete, bibleFile, sequence, sequenceIndex, misspelt } = context;
  const owner = owners.get(trigger);
  if (owner !== undefined) {
    const what = owner.list === 'elements' ? 'element' : 'image reference';
    return sequence[owner.list].includes(owner.id) || (owner.list === 'elements' && misspelt.has(owner.id))
      ? undefined
      : {
          message: `${trigger} is the trigger of ${what} "${owner.id}", which is not in this sequence's ${owner.list}`,
          hint: `add "${owner.id}" to sequences[${sequenceIndex}].${owner.list}, or remove ${trigger} from the prompt`,
        };
  }
  if (isElementToken(trigger)) {
    return {
      message: `${trigger} is written by hand`,
      hint: "write the element's or image reference's trigger (e.g. @maya) instead: @ElementN and @ImageN numbers follow each sequence's lists and are filled in by the pipeline",
    };
  }
  if (!ownersComplete) return undefined;
  return {
    message: `${trigger} is not the trigger of any element in ${bibleFile}`,
    hint: `${didYouMean(trigger, owners.keys())}fix the spelling, or add an element with this trigger to ${bibleFile}`,
  };
}

/** `@word` tokens, matched the way the rewrite matches them (an email address is not a trigger). */
function promptTriggers(prompt: string): string[] {
  return [...new Set(prompt.match(/(?<![A-Za-z0-9_])@[A-Za-z0-9_-]+/g) ?? [])];
}

function isElementToken(text: string): boolean {
  return /^@(Element|Image)\d+$/i.test(text);
}

/** Elements then image references, each with its JSON path: both kinds share one trigger namespace. */
function triggerHolders({ elements, image_references }: BibleInput['bible']): { trigger?: string; path: string }[] {
  return [
    ...elements.map((e, i) => ({ trigger: e.trigger, path: `elements[${i}]` })),
    ...image_references.map((r, i) => ({ trigger: r.trigger, path: `image_references[${i}]` })),
  ];
}

function triggerOwners({ elements, image_references }: BibleInput['bible']): Map<string, TriggerOwner> {
  const owners = new Map<string, TriggerOwner>();
  const add = (list: TriggerOwner['list'], { id, trigger }: CheckedImageReference) => {
    if (id !== undefined && trigger !== undefined && !owners.has(trigger)) owners.set(trigger, { id, list });
  };
  elements.forEach((e) => add('elements', e));
  image_references.forEach((r) => add('image_references', r));
  return owners;
}

function nonVideoModelProblem(model: ModelName): Problem {
  const videoModels = MODEL_NAMES.filter(isVideoModel).join(', ');
  return {
    message: `"${model}" is not a video model`,
    hint: `use one of: ${videoModels}; start-frame grids come from start_frame.prompt, not from the model field`,
  };
}

function knownIds(elements: ReadonlyArray<CheckedElement>): string[] {
  return [...new Set(elements.flatMap((e) => (e.id === undefined ? [] : [e.id])))];
}

function knownIdsHint(known: string[], bibleFile: string): string {
  return known.length === 0
    ? `the bible has no elements yet: add this one to ${bibleFile}`
    : `known element ids: ${known.join(', ')}`;
}
