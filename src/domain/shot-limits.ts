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
