import { z } from 'zod';

/** Ids as they appear in console URLs: project, episode and sequence ids are plain names, never paths. */
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/, 'a name of letters, digits, "-" or "_"');

export const episodeRefSchema = z.object({ projectId: name, episode: name });
export const sequenceRefSchema = episodeRefSchema.extend({ sequenceId: name });
export const positiveInt = z.coerce.number().int().min(1).max(9999);
/** A grid image in URLs: 1–4 a quadrant, 0 the whole grid. */
export const gridImageIndex = z.coerce.number().int().min(0).max(4);

export type EpisodeRef = z.infer<typeof episodeRefSchema>;
export type SequenceRef = z.infer<typeof sequenceRefSchema>;

export function episodePath(ref: EpisodeRef): string {
  return `/p/${ref.projectId}/${ref.episode}`;
}

export function sequencePath(ref: SequenceRef): string {
  return `${episodePath(ref)}/s/${ref.sequenceId}`;
}

export function takeName(take: number): string {
  return `t${String(take).padStart(3, '0')}`;
}
