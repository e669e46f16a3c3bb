/** What Kling O3 accepts per shot and per multi-shot video, in one place for schemas and workflows. */
export const SHOT_LIMITS = {
  minShots: 1,
  maxShots: 6,
  minDuration: 3,
  maxDuration: 15,
  defaultDuration: 5,
  maxTotalDuration: 15,
  maxPromptChars: 2500,
} as const;

/**
 * What Kling O3 reference-to-video on fal accepts besides the shots (fal's API schema for
 * `fal-ai/kling-video/o3/{standard,pro}/reference-to-video` in @fal-ai/client 1.10.1, and its model
 * page): elements and reference images together at most 7, at most 4 when an element has a video;
 * one element with a video per request; a voice only on an element with a video.
 */
export const REFERENCE_LIMITS = {
  maxReferences: 7,
  maxReferencesWithVideo: 4,
  maxVideoElements: 1,
} as const;
