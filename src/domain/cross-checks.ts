import { closestMatch, didYouMean } from './did-you-mean.js';
import { MODEL_NAMES, isVideoModel, type ModelName } from './models.js';
import { SHOT_LIMITS } from './shot-limits.js';
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
}

export interface CheckedShot {
  prompt?: string;
  duration?: number;
}

export interface CheckedSequence {
  id?: string;
  model?: ModelName;
  elements: ReadonlyArray<string | undefined>;
  shots: ReadonlyArray<CheckedShot>;
}

export interface CheckedPlan {
  episode?: string;
  sequences: ReadonlyArray<CheckedSequence>;
}

export interface CrossCheckInput {
  project?: { file: string; project: { default_model?: ModelName } };
  bible?: { file: string; bible: { elements: ReadonlyArray<CheckedElement> } };
  plans: ReadonlyArray<{ file: string; plan: CheckedPlan }>;
}

type BibleInput = NonNullable<CrossCheckInput['bible']>;
type PlanInput = CrossCheckInput['plans'][number];

/** Every cross-file rule; the bible rules are skipped when the bible could not be read at all. */
export function crossCheck(input: CrossCheckInput): ValidationIssue[] {
  const { project, bible, plans } = input;
  return [
    ...(project ? nonVideoDefaultModel(project.file, project.project.default_model) : []),
    ...(bible ? [...duplicateElementIds(bible), ...duplicateTriggers(bible)] : []),
    ...duplicateEpisodes(plans),
    ...plans.flatMap((plan) => [
      ...duplicateSequenceIds(plan),
      ...repeatedSequenceElements(plan),
      ...overlongSequences(plan),
      ...nonVideoSequenceModels(plan),
      ...(bible ? [...unknownSequenceElements(plan, bible), ...strayTriggers(plan, bible)] : []),
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
  const triggers = bible.elements.map((e) => e.trigger);
  const duplicates = repeats(triggers).map(({ index, first, value }) => ({
    file,
    path: `elements[${index}].trigger`,
    message: `duplicate trigger "${value}" (also elements[${first}])`,
    hint: 'give each element its own trigger, so a prompt names exactly one element',
  }));
  const reserved = triggers.flatMap((trigger, index) =>
    trigger !== undefined && isElementToken(trigger)
      ? [
          {
            file,
            path: `elements[${index}].trigger`,
            message: `trigger "${trigger}" looks like the pipeline's own @ElementN numbering`,
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
  const owners = triggerOwners(bible.elements);
  const known = knownIds(bible.elements);
  const ownersComplete = triggersSound(bible.elements);
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

interface TriggerContext {
  owners: Map<string, string>;
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
    return sequence.elements.includes(owner) || misspelt.has(owner)
      ? undefined
      : {
          message: `${trigger} is the trigger of element "${owner}", which is not in this sequence's elements`,
          hint: `add "${owner}" to sequences[${sequenceIndex}].elements, or remove ${trigger} from the prompt`,
        };
  }
  if (isElementToken(trigger)) {
    return {
      message: `${trigger} is written by hand`,
      hint: "write the element's trigger (e.g. @maya) instead: @ElementN numbers follow each sequence's elements and are filled in by the pipeline",
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
  return /^@Element\d+$/i.test(text);
}

function triggerOwners(elements: ReadonlyArray<CheckedElement>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const { id, trigger } of elements) {
    if (id !== undefined && trigger !== undefined && !owners.has(trigger)) owners.set(trigger, id);
  }
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

/** Every repeat of a value already seen earlier in the list; missing values are never repeats. */
function repeats<T>(values: ReadonlyArray<T | undefined>): Array<{ index: number; first: number; value: T }> {
  const firstSeen = new Map<T, number>();
  return values.flatMap((value, index) => {
    if (value === undefined) return [];
    const first = firstSeen.get(value);
    if (first === undefined) {
      firstSeen.set(value, index);
      return [];
    }
    return [{ index, first, value }];
  });
}
