import type { Client } from '@temporalio/client';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { decideOnSequence, type DecisionOutcome } from '../review/decisions.js';
import { bodyOf, issuesText, refusal, withoutEmpty } from './decision-input.js';
import { noteInputSchema } from '../domain/note-schema.js';
import { VERDICTS } from '../domain/take-notes.js';
import type { EpisodeFeeds } from './episode-feed.js';
import type { MediaLibrary } from './media.js';
import { serveStored } from './serve-stored.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { guestCompareBody, guestDailiesBody, guestRefusedBody, guestSequences, type GuestSequence } from './pages/guest.js';
import type { Html } from './pages/layout.js';
import { positiveInt } from './refs.js';
import { linkAllows, openLink, type ReviewLink } from './review-links.js';
import { placeNote, readTakeManifest } from './take-details.js';

export interface GuestDeps {
  client: Client;
  feeds: EpisodeFeeds;
  media: MediaLibrary;
  store: ArtifactStore;
  /** Renders a guest page: no console navigation, the guest's name in the header. */
  render: (c: Context, title: string, body: Html, link?: ReviewLink, status?: 200 | 404) => Response | Promise<Response>;
  /** Answers a decision and wakes the episode's readers, as the console's own decisions do. */
  answer: (c: Context, link: ReviewLink, sequenceId: string, send: () => Promise<DecisionOutcome>) => Promise<Response>;
}

const sequenceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const verdictSchema = z.object({ take: z.coerce.number().int().min(1), verdict: z.enum(VERDICTS), text: z.string().trim().max(2000).optional() });

/**
 * What a client reaches through a review link, all below `/review/<token>`: that episode's Dailies
 * and Compare, the takes' video, notes and a verdict. Nothing here starts paid work, changes a
 * budget or names another episode, a path or a console route; every request opens the link again,
 * so a revoked or expired link stops at once.
 */
export function registerGuestRoutes(app: Hono, deps: GuestDeps): void {
  const { client, feeds, media, store, render } = deps;

  /** The link and the part of its episode it shows, or a refusal that says nothing of what is behind it. */
  async function opened(c: Context): Promise<{ link: ReviewLink; sequences: GuestSequence[] } | Response> {
    const result = await openLink(store, c.req.param('token') ?? '');
    if ('refused' in result) return render(c, 'Review link', guestRefusedBody(result.refused), undefined, 404);
    const { snapshot } = await feeds.feed({ projectId: result.link.projectId, episode: result.link.episode }).current();
    return { link: result.link, sequences: guestSequences(snapshot, result.link) };
  }

  const allowedTake = (sequences: GuestSequence[], sequenceId: string | undefined, take: number) =>
    sequences.find((s) => s.sequenceId === sequenceId)?.takes.find((t) => t.take === take);

  app.get('/review/:token', (c) => c.redirect(`/review/${c.req.param('token')}/dailies`, 303));

  app.get('/review/:token/dailies', async (c) => {
    const open = await opened(c);
    if (open instanceof Response) return open;
    const { link, sequences } = open;
    const wanted = sequences.find((s) => s.sequenceId === c.req.query('seq')) ?? sequences[0];
    const take = wanted && (wanted.takes.find((t) => t.take === Number(c.req.query('take'))) ?? wanted.takes.at(-1));
    const selected = wanted && take ? { sequenceId: wanted.sequenceId, take, manifest: await readTakeManifest(store, { projectId: link.projectId, episode: link.episode, sequenceId: wanted.sequenceId }, take.take) } : undefined;
    return render(c, `${link.episode} review`, guestDailiesBody({ token: c.req.param('token'), link, sequences, ...(selected ? { selected } : {}) }), link);
  });

  app.get('/review/:token/compare', async (c) => {
    const open = await opened(c);
    if (open instanceof Response) return open;
    const { link, sequences } = open;
    const sequenceId = c.req.query('seq');
    const [a, b] = [allowedTake(sequences, sequenceId, Number(c.req.query('a'))), allowedTake(sequences, sequenceId, Number(c.req.query('b')))];
    if (!sequenceId || !a || !b) return render(c, 'Review link', guestRefusedBody('pick two takes of one sequence to compare'), link, 404);
    const side = async (take: typeof a) => ({ take, manifest: await readTakeManifest(store, { projectId: link.projectId, episode: link.episode, sequenceId }, take.take) });
    return render(c, `${sequenceId} compare`, guestCompareBody({ token: c.req.param('token'), link, sequenceId, a: await side(a), b: await side(b) }), link);
  });

  app.get('/review/:token/media/:sequenceId/:take', async (c) => {
    const result = await openLink(store, c.req.param('token'));
    const sequenceId = sequenceIdSchema.safeParse(c.req.param('sequenceId'));
    const take = positiveInt.safeParse(c.req.param('take'));
    if ('refused' in result || !sequenceId.success || !take.success || !linkAllows(result.link, sequenceId.data, take.data)) return c.text('not found', 404);
    const file = await media.takeVideo({ projectId: result.link.projectId, episode: result.link.episode, sequenceId: sequenceId.data }, take.data);
    return file ? serveStored(c, store, file) : c.text('not found', 404);
  });

  app.post('/review/:token/s/:sequenceId/note', async (c) => {
    const open = await opened(c);
    if (open instanceof Response) return c.json(refusal('this review link opens nothing'), 404);
    const { link, sequences } = open;
    const note = noteInputSchema.safeParse(withoutEmpty(await bodyOf(c)));
    if (!note.success) return c.json(refusal(issuesText(note.error, 'note')), 400);
    const sequenceId = c.req.param('sequenceId');
    if (!allowedTake(sequences, sequenceId, note.data.take)) return c.json(refusal('this link does not show that take'), 404);
    const ref = { projectId: link.projectId, episode: link.episode, sequenceId };
    const placed = placeNote(await readTakeManifest(store, ref, note.data.take), { ...note.data, verdict: undefined });
    if ('refused' in placed) return c.json(refusal(placed.refused), 409);
    const { verdict: _none, ...plain } = placed.note;
    return deps.answer(c, link, sequenceId, () => decideOnSequence(client, ref, { ...plain, kind: 'note' }, guestName(link)));
  });

  app.post('/review/:token/s/:sequenceId/verdict', async (c) => {
    const open = await opened(c);
    if (open instanceof Response) return c.json(refusal('this review link opens nothing'), 404);
    const { link, sequences } = open;
    const body = verdictSchema.safeParse(withoutEmpty(await bodyOf(c)));
    if (!body.success) return c.json(refusal('say "approved" or "changes wanted" about one take'), 400);
    const sequenceId = c.req.param('sequenceId');
    if (!allowedTake(sequences, sequenceId, body.data.take)) return c.json(refusal('this link does not show that take'), 404);
    const { take, verdict, text } = body.data;
    const words = text || (verdict === 'approved' ? 'Approved' : 'Changes wanted');
    const ref = { projectId: link.projectId, episode: link.episode, sequenceId };
    return deps.answer(c, link, sequenceId, () =>
      decideOnSequence(client, ref, { kind: 'note', take, frame: 0, text: words, verdict, colour: verdict === 'approved' ? 'GREEN' : 'RED' }, guestName(link)),
    );
  });
}

/** How a guest's notes and verdicts are signed in the sequence's history. */
export function guestName(link: ReviewLink): string {
  return `${link.guest} (client)`;
}
