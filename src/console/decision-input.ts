import type { Context } from 'hono';
import { z } from 'zod';
import type { DecisionOutcome } from '../review/decisions.js';
import { SUBMISSION_ACTIONS } from '../contract/sequence.js';
import { noteInputSchema } from '../domain/note-schema.js';
import { MAX_LINK_DAYS } from './review-links.js';

const text = (max: number) => z.string().trim().max(max);

/** What a page may ask of a sequence; shot prompts are keyed by 1-based shot number. */
export const decisionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('approve'), take: z.coerce.number().int().min(1), note: text(500).optional() }),
  z.object({
    kind: z.literal('retake'),
    note: text(2000).min(1, 'say what should change'),
    shots: z.record(z.string().regex(/^[1-9]\d?$/), text(2000).min(1)).optional(),
  }),
  z
    .object({
      kind: z.literal('selectFrame'),
      grid: z.coerce.number().int().min(1).optional(),
      quadrant: z.coerce.number().int().min(1).max(4).optional(),
      previous: z.stringbool().optional(),
    })
    .refine((d) => Boolean(d.previous) !== (d.quadrant !== undefined), { message: "pick a quadrant or the previous sequence's last frame", path: ['quadrant'] }),
  z.object({ kind: z.literal('regenerateFrames'), prompt: text(2000).optional(), note: text(500).optional() }),
  z
    .object({
      kind: z.literal('settleSubmission'),
      take: z.coerce.number().int().min(1),
      action: z.enum(SUBMISSION_ACTIONS),
      providerRequestId: text(200).regex(/^[\w.-]+$/, 'fal\'s request id: letters, digits, dots and dashes').optional(),
    })
    .refine((d) => d.action !== 'adopt' || d.providerRequestId, { message: 'enter fal\'s request id to adopt', path: ['providerRequestId'] }),
  noteInputSchema.safeExtend({ kind: z.literal('note') }),
]);

export const budgetSchema = z.object({ budgetUsd: z.coerce.number().min(0).max(1_000_000) });

/** A client review link as the console's form asks for it: who it is for, for how long, which takes. */
export const linkRequestSchema = z.object({
  guest: text(60).min(1, 'say who the link is for'),
  days: z.coerce.number().int().min(1).max(MAX_LINK_DAYS).default(7),
  /** "SEQ01:2, SEQ03:1"; every finished take of the episode when empty. */
  takes: text(2000).optional(),
});

export const nameSchema = z.object({ name: text(60).min(1, 'enter a name') });

/** Empty optional fields from a form mean "not given". */
export function withoutEmpty<T extends Record<string, unknown>>(body: T): T {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== '' && v !== null)) as T;
}

/** An answer the console gives itself, before anything reaches a workflow. */
export function refusal(reason: string): DecisionOutcome {
  return { kind: 'refused', requestId: '', reason };
}

/** Every problem zod found in a request, one clause each, named by field. */
export function issuesText(error: z.ZodError, what: string): string {
  return error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
}

/** Decisions are signed: a reviewer with no name yet is asked for one first. */
export const NAME_FIRST = 'enter your name at the top of the page first';

/** A request's fields, whether a page's script sent JSON or a plain form was posted. */
export async function bodyOf(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/json')) return ((await c.req.json().catch(() => ({}))) ?? {}) as Record<string, unknown>;
  return (await c.req.parseBody()) as Record<string, unknown>;
}
