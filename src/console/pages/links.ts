import { html } from 'hono/html';
import { episodePath, type EpisodeRef } from '../refs.js';
import { linkState, MAX_LINK_DAYS, type ReviewLink } from '../review-links.js';
import { outcomeSlot, type Html } from './layout.js';
import { when } from './format.js';

/** Client review links of one episode: make one (its address is shown once), see them all, withdraw one. */
export function linksBody(ref: EpisodeRef, links: readonly ReviewLink[]): Html {
  const base = episodePath(ref);
  return html`<section class="links-page">
  <h1>Client review links <span class="count">${links.length}</span></h1>
  <p class="hint">A link shows a client this episode's Dailies and Compare (or only the takes you list). They can leave notes and say
  "approved" or "changes wanted"; a director confirms. They cannot start anything that costs money or see anything else.</p>
  <form class="new-link" id="new-link-form" data-action="${base}/links" data-outcome-target="link-outcome">
    <label>for <input name="guest" maxlength="60" required placeholder="e.g. Acme (Jo Client)"></label>
    <label>open for <input name="days" type="number" min="1" max="${MAX_LINK_DAYS}" value="7"> days</label>
    <label>takes <input name="takes" placeholder="all finished takes, or e.g. SEQ01:2, SEQ03:1"></label>
    <button type="submit">Make a link</button>
  </form>
  ${outcomeSlot('link-outcome')}
  <table class="links" id="links">
    <thead><tr><th>id</th><th>for</th><th>takes</th><th>made</th><th>open until</th><th>state</th><th></th></tr></thead>
    <tbody>${links.map((link) => {
      const state = linkState(link);
      return html`<tr data-link="${link.id}" class="${state}">
        <td><code>${link.id}</code></td><td>${link.guest}</td><td>${link.takes ? link.takes.map((t) => `${t.sequenceId}:${t.take}`).join(', ') : 'all finished'}</td>
        <td>${link.createdBy} · ${when(link.createdAt)}</td><td>${link.expiresAt.slice(0, 16).replace('T', ' ')} UTC</td>
        <td>${state}${link.revokedBy ? ` by ${link.revokedBy}` : ''}</td>
        <td>${state === 'active' ? html`<form data-action="${base}/links/${link.id}/revoke" data-outcome-target="link-outcome"><button type="submit">Withdraw</button></form>` : ''}</td>
      </tr>`;
    })}</tbody>
  </table>
</section>`;
}
