import { z } from 'zod';
import { ASPECT_RATIOS } from './aspect-ratio.js';
import { MODEL_NAMES } from './models.js';
import { SHOT_LIMITS } from './shot-limits.js';

/** The id patterns of the project format (docs/project-format.md); error messages quote them. */
const PROJECT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const NAME_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const nameId = (what: string) =>
  z.string().regex(NAME_ID_PATTERN, `${what} must match ${NAME_ID_PATTERN} (letters, digits, _ and -, at most 64)`);

export const ProjectSchema = z.strictObject({
  id: z.string().regex(PROJECT_ID_PATTERN, `id must be a lowercase slug matching ${PROJECT_ID_PATTERN}`),
  name: z.string().min(1, 'name must not be empty'),
  type: z.literal('client_video'),
  aspect_ratio: z.enum(ASPECT_RATIOS).default('16:9'),
  default_model: z.enum(MODEL_NAMES).default('kling-o3'),
  generate_audio: z.boolean().default(false),
  budget_usd: z.number().positive().optional(),
  max_parallel_sequences: z.number().int().min(1).max(40).default(2),
  max_takes_per_sequence: z.number().int().min(1).max(99).default(5),
  /** Takes the critics reject are retaken automatically this many times before a person is asked. */
  critic_auto_retakes: z.number().int().min(0).max(5).default(1),
});
export type Project = z.infer<typeof ProjectSchema>;

const ELEMENT_KINDS = ['character', 'prop', 'location', 'vehicle'] as const;

const triggerSchema = z
  .string()
  .regex(/^@[A-Za-z0-9_-]+$/, 'trigger must be @ followed by letters, digits, _ or -')
  .optional();

export const ElementSchema = z.strictObject({
  id: nameId('element id'),
  kind: z.enum(ELEMENT_KINDS),
  name: z.string().min(1),
  description: z.string().optional(),
  frontal_image: z.string().min(1),
  reference_images: z.array(z.string().min(1)).max(3, 'at most 3 reference_images per element').default([]),
  /** A reference video of the element (MP4 or MOV), sent as the element's video; a voice needs one. */
  video: z.string().min(1).optional(),
  /** A Kling voice (made with fal's create-voice endpoint): the element speaks with it when audio is generated. */
  voice_id: z.string().trim().min(1, 'voice_id must not be empty').optional(),
  trigger: triggerSchema,
  negative_prompt: z.string().optional(),
});
export type Element = z.infer<typeof ElementSchema>;

const IMAGE_REFERENCE_KINDS = ['style', 'location'] as const;

/** A picture that sets a look or a place without being a recurring element: Kling's reference images (`@ImageN`). */
export const ImageReferenceSchema = z.strictObject({
  id: nameId('image reference id'),
  kind: z.enum(IMAGE_REFERENCE_KINDS),
  name: z.string().min(1),
  description: z.string().optional(),
  image: z.string().min(1),
  trigger: triggerSchema,
});
export type ImageReference = z.infer<typeof ImageReferenceSchema>;

export const BibleSchema = z.strictObject({
  elements: z.array(ElementSchema),
  image_references: z.array(ImageReferenceSchema).default([]),
});
export type Bible = z.infer<typeof BibleSchema>;

export const ShotSchema = z.strictObject({
  prompt: z
    .string()
    .trim()
    .min(1, 'a shot prompt must not be empty')
    .max(SHOT_LIMITS.maxPromptChars, `a shot prompt has at most ${SHOT_LIMITS.maxPromptChars} characters`),
  duration: z
    .number()
    .int('duration must be a whole number of seconds')
    .min(SHOT_LIMITS.minDuration, `a shot lasts at least ${SHOT_LIMITS.minDuration} s`)
    .max(SHOT_LIMITS.maxDuration, `a shot lasts at most ${SHOT_LIMITS.maxDuration} s`)
    .default(SHOT_LIMITS.defaultDuration),
});
export type Shot = z.infer<typeof ShotSchema>;

export const StartFrameSchema = z.union([
  z.strictObject({ prompt: z.string().trim().min(1) }),
  z.strictObject({ image: z.string().min(1) }),
  /** The previous sequence's approved last frame: the two cut together on the same picture. */
  z.strictObject({ previous: z.literal(true) }),
]);
export type StartFrame = z.infer<typeof StartFrameSchema>;

export const EndFrameSchema = z.union([
  z.strictObject({ image: z.string().min(1) }),
  /** The start frame chosen for the next sequence, so this one ends where that one begins. */
  z.strictObject({ next: z.literal(true) }),
]);
export type EndFrame = z.infer<typeof EndFrameSchema>;

export const SequenceSchema = z.strictObject({
  id: nameId('sequence id'),
  title: z.string().optional(),
  model: z.enum(MODEL_NAMES).optional(),
  elements: z.array(z.string()).default([]),
  image_references: z.array(z.string()).default([]),
  start_frame: StartFrameSchema.optional(),
  end_frame: EndFrameSchema.optional(),
  shots: z
    .array(ShotSchema)
    .min(SHOT_LIMITS.minShots, 'a sequence needs at least one shot')
    .max(SHOT_LIMITS.maxShots, `a sequence has at most ${SHOT_LIMITS.maxShots} shots (Kling multi-shot limit)`),
});
export type Sequence = z.infer<typeof SequenceSchema>;

export const PlanSchema = z.strictObject({
  episode: nameId('episode'),
  title: z.string().optional(),
  budget_usd: z.number().positive().optional(),
  sequences: z.array(SequenceSchema).min(1, 'a plan needs at least one sequence'),
});
export type Plan = z.infer<typeof PlanSchema>;
