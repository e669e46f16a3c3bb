import { videoResolution, type AspectRatio, type Resolution } from './aspect-ratio.js';
import type { ModelName } from './models.js';
import { imageCostUsd, roundUsd, videoCostUsd, type Pricing } from './price-table.js';
import type { Bible, Element, ImageReference, Plan, Project, Sequence } from './schemas.js';

/**
 * What the pipeline executes for one sequence (the seed's "convert on load"): the plan stays
 * human-shaped on disk, and everything a provider needs is resolved here once.
 * Image paths stay relative to the project folder; activities resolve them.
 */
export interface SequenceUnit {
  projectId: string;
  projectDir: string;
  episode: string;
  sequenceId: string;
  title?: string;
  model: ModelName;
  aspectRatio: AspectRatio;
  resolution: Resolution;
  generateAudio: boolean;
  shots: UnitShot[];
  elements: UnitElement[];
  /** Style and location pictures, sent as Kling's reference images (@Image1…); absent in sequences started before 0.4. */
  imageReferences?: UnitImageReference[];
  startFrame: UnitStartFrame | null;
  /** The plan's sequence before this one, whose approved last frame a person may pick as the start frame. */
  previousSequenceId?: string;
  /** Absent in sequences started before 0.4. */
  endFrame?: UnitEndFrame | null;
  totalDurationSec: number;
  /** One take's video, at the price table's rate when the episode started. */
  estimatedCostUsd: number;
  /** One start-frame grid: planned by `start_frame.prompt`, or asked for later with a prompt. */
  estimatedGridCostUsd: number;
}

export interface UnitShot {
  /** The prompt as written in the plan. */
  prompt: string;
  /** The same prompt with trigger words rewritten to @ElementN and @ImageN for Kling. */
  providerPrompt: string;
  duration: number;
}

export interface UnitElement {
  id: string;
  /** 1-based, in the sequence's element order: @Element1, @Element2… */
  index: number;
  name: string;
  kind: Element['kind'];
  frontalImage: string;
  referenceImages: string[];
  /** A reference video of the element; Kling takes one per request. */
  video?: string;
  /** Sent with the element only when the take generates audio. */
  voiceId?: string;
  trigger?: string;
}

export interface UnitImageReference {
  id: string;
  /** 1-based, in the sequence's order: @Image1, @Image2… */
  index: number;
  name: string;
  kind: ImageReference['kind'];
  image: string;
  trigger?: string;
}

/** `previous`: the last frame of the approved take of `sequenceId` (the plan's sequence before), once it is approved. */
export type UnitStartFrame = { kind: 'prompt'; prompt: string } | { kind: 'image'; path: string } | { kind: 'previous'; sequenceId: string };

/** `next`: the start frame `sequenceId` (the plan's sequence after) uses, once it has one. */
export type UnitEndFrame = { kind: 'image'; path: string } | { kind: 'next'; sequenceId: string };

export interface EpisodeContext {
  project: Project;
  bible: Bible;
  plan: Plan;
  projectDir: string;
  pricing: Pricing;
}

export function toSequenceUnits(ctx: EpisodeContext): SequenceUnit[] {
  const { sequences } = ctx.plan;
  return sequences.map((sequence, i) => toSequenceUnit(ctx, sequence, { previous: sequences[i - 1]?.id, next: sequences[i + 1]?.id }));
}

/** The plan's sequences either side of this one: what a chained start or end frame links to. */
interface Neighbours {
  previous: string | undefined;
  next: string | undefined;
}

function toSequenceUnit(ctx: EpisodeContext, sequence: Sequence, neighbours: Neighbours): SequenceUnit {
  const { project, bible, plan, pricing } = ctx;
  const elements = resolveElements(bible, sequence.elements);
  const imageReferences = resolveImageReferences(bible, sequence.image_references);
  const model = sequence.model ?? project.default_model;
  const totalDurationSec = sequence.shots.reduce((sum, shot) => sum + shot.duration, 0);
  const startFrame = toUnitStartFrame(sequence, neighbours);
  return {
    projectId: project.id,
    projectDir: ctx.projectDir,
    episode: plan.episode,
    sequenceId: sequence.id,
    ...(sequence.title ? { title: sequence.title } : {}),
    model,
    aspectRatio: project.aspect_ratio,
    resolution: videoResolution(project.aspect_ratio),
    generateAudio: project.generate_audio,
    shots: sequence.shots.map((shot) => ({
      prompt: shot.prompt,
      providerPrompt: rewriteTriggers(shot.prompt, elements, imageReferences),
      duration: shot.duration,
    })),
    elements,
    imageReferences,
    startFrame,
    ...(neighbours.previous !== undefined ? { previousSequenceId: neighbours.previous } : {}),
    endFrame: toUnitEndFrame(sequence, neighbours),
    totalDurationSec,
    estimatedCostUsd: videoCostUsd(pricing.table, model, totalDurationSec, project.generate_audio),
    estimatedGridCostUsd: imageCostUsd(pricing.gridRate),
  };
}

/** The grid a sequence's plan pays for before its first take; 0 when it explores no start frames. */
export function plannedGridCostUsd(unit: SequenceUnit): number {
  return unit.startFrame?.kind === 'prompt' ? unit.estimatedGridCostUsd : 0;
}

/** One pass over an episode: a grid where a plan explores start frames, then one take of each sequence. */
export function firstPassCostUsd(units: SequenceUnit[]): number {
  return roundUsd(units.reduce((sum, u) => sum + plannedGridCostUsd(u) + u.estimatedCostUsd, 0));
}

/** Every sequence at its take limit, one grid each where it explores start frames. */
export function worstCaseCostUsd(units: SequenceUnit[], maxTakes: number): number {
  return roundUsd(units.reduce((sum, u) => sum + plannedGridCostUsd(u) + u.estimatedCostUsd * maxTakes, 0));
}

function resolveElements(bible: Bible, ids: string[]): UnitElement[] {
  return ids.flatMap((id, i) => {
    const element = bible.elements.find((e) => e.id === id);
    if (!element) return [];
    return [
      {
        id,
        index: i + 1,
        name: element.name,
        kind: element.kind,
        frontalImage: element.frontal_image,
        referenceImages: element.reference_images,
        ...(element.video ? { video: element.video } : {}),
        ...(element.voice_id ? { voiceId: element.voice_id } : {}),
        ...(element.trigger ? { trigger: element.trigger } : {}),
      },
    ];
  });
}

function resolveImageReferences(bible: Bible, ids: string[]): UnitImageReference[] {
  return ids.flatMap((id, i) => {
    const reference = bible.image_references.find((r) => r.id === id);
    if (!reference) return [];
    return [{ id, index: i + 1, name: reference.name, kind: reference.kind, image: reference.image, ...(reference.trigger ? { trigger: reference.trigger } : {}) }];
  });
}

/** Validation guarantees the neighbour a link needs; without one the link is dropped rather than invented. */
function toUnitStartFrame(sequence: Sequence, { previous }: Neighbours): UnitStartFrame | null {
  const frame = sequence.start_frame;
  if (!frame) return null;
  if ('prompt' in frame) return { kind: 'prompt', prompt: frame.prompt };
  if ('image' in frame) return { kind: 'image', path: frame.image };
  return previous === undefined ? null : { kind: 'previous', sequenceId: previous };
}

function toUnitEndFrame(sequence: Sequence, { next }: Neighbours): UnitEndFrame | null {
  const frame = sequence.end_frame;
  if (!frame) return null;
  if ('image' in frame) return { kind: 'image', path: frame.image };
  return next === undefined ? null : { kind: 'next', sequenceId: next };
}

/**
 * `@maya` → `@Element1` when maya is the sequence's first element, `@noir` → `@Image1` when it is
 * its first image reference; longest triggers first, so `@van` never eats into `@vanessa`.
 */
export function rewriteTriggers(prompt: string, elements: UnitElement[], imageReferences: UnitImageReference[] = []): string {
  const numbered = [
    ...elements.map((e) => ({ trigger: e.trigger, token: `@Element${e.index}` })),
    ...imageReferences.map((r) => ({ trigger: r.trigger, token: `@Image${r.index}` })),
  ].filter((n): n is { trigger: string; token: string } => Boolean(n.trigger));
  numbered.sort((a, b) => b.trigger.length - a.trigger.length);
  return numbered.reduce((text, n) => text.replace(new RegExp(`${escapeRegExp(n.trigger)}(?![A-Za-z0-9_-])`, 'g'), n.token), prompt);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replacement prompts from a retake, by 1-based shot index, applied to a unit's shots. */
export function applyShotOverrides(unit: SequenceUnit, overrides: Record<string, string> | undefined): UnitShot[] {
  if (!overrides) return unit.shots;
  return unit.shots.map((shot, i) => {
    const replacement = overrides[String(i + 1)];
    return replacement === undefined
      ? shot
      : { ...shot, prompt: replacement, providerPrompt: rewriteTriggers(replacement, unit.elements, unit.imageReferences ?? []) };
  });
}
