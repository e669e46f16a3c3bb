import type { z } from 'zod';
import type { CheckedElement, CheckedImageReference, CheckedPlan, CheckedSequence, CheckedShot } from '../domain/cross-checks.js';
import type { ModelName } from '../domain/models.js';
import {
  ElementSchema,
  EndFrameSchema,
  ImageReferenceSchema,
  PlanSchema,
  ProjectSchema,
  SequenceSchema,
  ShotSchema,
  StartFrameSchema,
  type EndFrame,
  type StartFrame,
} from '../domain/schemas.js';

/*
 * What can still be read from a file the schema refused: every field that is valid on its own, each
 * judged by the schema's own piece for it. Cross-checks and image checks run on these, so a plan
 * with one bad shot still has its element ids and images checked, and nothing is reported twice.
 * List positions are kept, so paths point at the right item.
 */

export interface ProjectDraft {
  default_model?: ModelName;
}

export interface ElementDraft extends CheckedElement {
  frontal_image?: string;
  reference_images: Array<string | undefined>;
}

export interface ImageReferenceDraft extends CheckedImageReference {
  image?: string;
}

export interface BibleDraft {
  elements: ElementDraft[];
  image_references: ImageReferenceDraft[];
}

export interface SequenceDraft extends CheckedSequence {
  start_frame?: StartFrame;
  end_frame?: EndFrame;
}

export interface PlanDraft extends CheckedPlan {
  sequences: SequenceDraft[];
}

export function draftProject(raw: unknown): ProjectDraft {
  return { default_model: valid(ProjectSchema.shape.default_model, field(raw, 'default_model')) };
}

/** Nothing when there is no list of elements at all: plans can't be checked against it. */
export function draftBible(raw: unknown): BibleDraft | undefined {
  const elements = field(raw, 'elements');
  return Array.isArray(elements) ? { elements: elements.map(draftElement), image_references: items(field(raw, 'image_references')).map(draftImageReference) } : undefined;
}

function draftImageReference(raw: unknown): ImageReferenceDraft {
  const reference = ImageReferenceSchema.shape;
  return { ...draftNamed(reference, raw), image: valid(reference.image, field(raw, 'image')) };
}

/** An element's or an image reference's id and trigger; a refused trigger is remembered, since prompts may use it. */
function draftNamed(shape: { id: z.ZodType<string>; trigger: z.ZodType<string | undefined> }, raw: unknown): CheckedImageReference {
  const trigger = valid(shape.trigger, field(raw, 'trigger'));
  return { id: valid(shape.id, field(raw, 'id')), trigger, unreadableTrigger: trigger === undefined && field(raw, 'trigger') !== undefined };
}

function draftElement(raw: unknown): ElementDraft {
  const element = ElementSchema.shape;
  const referenceImage = element.reference_images.unwrap().element;
  return {
    ...draftNamed(element, raw),
    frontal_image: valid(element.frontal_image, field(raw, 'frontal_image')),
    video: valid(element.video, field(raw, 'video')),
    voice_id: valid(element.voice_id, field(raw, 'voice_id')),
    reference_images: items(field(raw, 'reference_images')).map((image) => valid(referenceImage, image)),
  };
}

export function draftPlan(raw: unknown): PlanDraft {
  return {
    episode: valid(PlanSchema.shape.episode, field(raw, 'episode')),
    sequences: items(field(raw, 'sequences')).map(draftSequence),
  };
}

function draftSequence(raw: unknown): SequenceDraft {
  const sequence = SequenceSchema.shape;
  const elementId = sequence.elements.unwrap().element;
  return {
    id: valid(sequence.id, field(raw, 'id')),
    model: valid(sequence.model, field(raw, 'model')),
    elements: items(field(raw, 'elements')).map((id) => valid(elementId, id)),
    image_references: items(field(raw, 'image_references')).map((id) => valid(elementId, id)),
    start_frame: valid(StartFrameSchema, field(raw, 'start_frame')),
    end_frame: valid(EndFrameSchema, field(raw, 'end_frame')),
    shots: items(field(raw, 'shots')).map(draftShot),
  };
}

/** A shot that is not even an object has no duration, rather than the default one. */
function draftShot(raw: unknown): CheckedShot {
  if (!isRecord(raw)) return {};
  return {
    prompt: valid(ShotSchema.shape.prompt, raw.prompt),
    duration: valid(ShotSchema.shape.duration, raw.duration),
  };
}

/** The parsed value (defaults applied) when it is valid, else nothing: the schema reports it. */
function valid<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function items(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
