import { videoResolution, type AspectRatio, type Resolution } from './aspect-ratio.js';
import type { ModelName } from './models.js';
import { imageCostUsd, roundUsd, videoCostUsd, type Pricing } from './price-table.js';
import type { Bible, Element, Plan, Project, Sequence } from './schemas.js';

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
  startFrame: UnitStartFrame | null;
  totalDurationSec: number;
  /** One take's video, at the price table's rate when the episode started. */
  estimatedCostUsd: number;
  /** One start-frame grid: planned by `start_frame.prompt`, or asked for later with a prompt. */
  estimatedGridCostUsd: number;
}

export interface UnitShot {
  /** The prompt as written in the plan. */
  prompt: string;
  /** The same prompt with trigger words rewritten to @ElementN for Kling. */
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
  trigger?: string;
}

export type UnitStartFrame = { kind: 'prompt'; prompt: string } | { kind: 'image'; path: string };

export interface EpisodeContext {
  project: Project;
  bible: Bible;
  plan: Plan;
  projectDir: string;
  pricing: Pricing;
}

export function toSequenceUnits(ctx: EpisodeContext): SequenceUnit[] {
  return ctx.plan.sequences.map((sequence) => toSequenceUnit(ctx, sequence));
}

function toSequenceUnit(ctx: EpisodeContext, sequence: Sequence): SequenceUnit {
  const { project, bible, plan, pricing } = ctx;
  const elements = resolveElements(bible, sequence.elements);
  const model = sequence.model ?? project.default_model;
  const totalDurationSec = sequence.shots.reduce((sum, shot) => sum + shot.duration, 0);
  const startFrame = toUnitStartFrame(sequence);
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
      providerPrompt: rewriteTriggers(shot.prompt, elements),
      duration: shot.duration,
    })),
    elements,
    startFrame,
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
        ...(element.trigger ? { trigger: element.trigger } : {}),
      },
    ];
  });
}

function toUnitStartFrame(sequence: Sequence): UnitStartFrame | null {
  if (!sequence.start_frame) return null;
  return 'prompt' in sequence.start_frame
    ? { kind: 'prompt', prompt: sequence.start_frame.prompt }
    : { kind: 'image', path: sequence.start_frame.image };
}

/** `@maya` → `@Element1` when maya is the sequence's first element; longest triggers first. */
export function rewriteTriggers(prompt: string, elements: UnitElement[]): string {
  const withTriggers = elements.filter((e): e is UnitElement & { trigger: string } => Boolean(e.trigger));
  withTriggers.sort((a, b) => b.trigger.length - a.trigger.length);
  return withTriggers.reduce(
    (text, e) => text.replace(new RegExp(`${escapeRegExp(e.trigger)}(?![A-Za-z0-9_-])`, 'g'), `@Element${e.index}`),
    prompt,
  );
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
      : { ...shot, prompt: replacement, providerPrompt: rewriteTriggers(replacement, unit.elements) };
  });
}
