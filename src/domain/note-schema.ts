import { z } from 'zod';
import { DRAWING_TOOLS, NOTE_COLOURS, VERDICTS } from './take-notes.js';

/** What a reviewer sends to pin a note on a take; the single source of the note's input type. */
const LIMITS = { text: 2000, strokes: 40, points: 400 } as const;

const unit = z.number().min(0).max(1);

export const strokeSchema = z.object({
  tool: z.enum(DRAWING_TOOLS),
  colour: z.enum(NOTE_COLOURS),
  /** A pen's path; an arrow's tail then head; a rectangle's two opposite corners. */
  points: z.array(z.tuple([unit, unit])).min(2).max(LIMITS.points),
});

/** What a reviewer writes; who and when are added by whoever records it. */
export const noteInputSchema = z
  .object({
    take: z.coerce.number().int().min(1),
    frame: z.coerce.number().int().min(0),
    /** The last frame of an in/out range, inclusive; absent for a note on one frame. */
    endFrame: z.coerce.number().int().min(0).optional(),
    /** The plan's shot (1-based) the note's first frame falls in. */
    shot: z.coerce.number().int().min(1).optional(),
    text: z.string().trim().min(1, 'write the note').max(LIMITS.text),
    colour: z.enum(NOTE_COLOURS).default('RED'),
    drawing: z.array(strokeSchema).max(LIMITS.strokes).optional(),
    /** A client's word on the whole take, for the director to confirm (or not). */
    verdict: z.enum(VERDICTS).optional(),
  })
  .refine((n) => n.endFrame === undefined || n.endFrame >= n.frame, { message: 'the out point comes before the in point', path: ['endFrame'] });

export type Stroke = z.infer<typeof strokeSchema>;

/** A note as checked: its colour filled in. */
export type NoteInput = z.infer<typeof noteInputSchema>;
/** A note as sent: a signal from a script may leave the colour out. */
export type NoteFields = Omit<NoteInput, 'colour'> & Partial<Pick<NoteInput, 'colour'>>;

