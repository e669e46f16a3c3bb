import type { ArtifactStore } from '../store/artifact-store.js';
import type { Context, Hono } from 'hono';
import { bodyOf, issuesText, linkRequestSchema, NAME_FIRST, refusal, withoutEmpty } from './decision-input.js';
import type { Html } from './pages/layout.js';
import { linksBody } from './pages/links.js';
import { episodeRefSchema, type EpisodeRef } from './refs.js';
import { createLink, listLinks, parseTakeList, revokeLink } from './review-links.js';

export interface LinkRouteDeps {
  store: ArtifactStore;
  /** Who acts: the reviewer's name cookie, else RECOIL_USER. */
  userOf: (c: Context) => string | undefined;
  render: (c: Context, ref: EpisodeRef, body: Html) => Response | Promise<Response>;
}

/** The producer's side of client review links: an episode's Client links page, making a link, withdrawing one. */
export function registerLinkRoutes(app: Hono, { store, userOf, render }: LinkRouteDeps): void {
  app.get('/p/:projectId/:episode/links', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    return render(c, ref.data, linksBody(ref.data, await listLinks(store, ref.data)));
  });

  /** Its secret is in this answer only. */
  app.post('/p/:projectId/:episode/links', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const by = userOf(c);
    if (!by) return c.json(refusal(NAME_FIRST), 400);
    const body = linkRequestSchema.safeParse(withoutEmpty(await bodyOf(c)));
    if (!body.success) return c.json(refusal(issuesText(body.error, 'link')), 400);
    const takes = body.data.takes ? parseTakeList(body.data.takes) : [];
    if (!Array.isArray(takes)) return c.json(refusal(takes.refused), 400);
    const { link, token } = await createLink(store, { ...ref.data, guest: body.data.guest, days: body.data.days, createdBy: by, takes });
    return c.json({ kind: 'accepted', requestId: link.id, detail: `link for ${link.guest}, open until ${link.expiresAt.slice(0, 16).replace('T', ' ')} UTC: ${new URL(c.req.url).origin}/review/${token}` });
  });

  app.post('/p/:projectId/:episode/links/:id/revoke', async (c) => {
    const ref = episodeRefSchema.safeParse(c.req.param());
    if (!ref.success) return c.notFound();
    const by = userOf(c);
    if (!by) return c.json(refusal(NAME_FIRST), 400);
    const result = await revokeLink(store, c.req.param('id'), by, ref.data);
    return 'refused' in result ? c.json(refusal(result.refused), 404) : c.json({ kind: 'accepted', requestId: result.link.id, detail: `link ${result.link.id} for ${result.link.guest} withdrawn` });
  });
}
