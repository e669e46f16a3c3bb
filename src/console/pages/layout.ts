import { html } from 'hono/html';
import { episodePath, type EpisodeRef } from '../refs.js';

export type Html = ReturnType<typeof html>;

export type Tab = 'board' | 'dailies' | 'delivery' | 'links' | 'sequence' | 'home' | 'queue' | 'guest';

export interface PageFrame {
  title: string;
  tab: Tab;
  episode?: EpisodeRef;
  /** Who acts, from the cookie or RECOIL_USER; undefined until the reviewer enters a name. */
  user: string | undefined;
  body: Html;
  /** The episode reader's version this page shows; a newer one makes the page refresh its live parts. */
  version?: number;
  /** Where a page about no one episode hears of changes (the studio queue). */
  events?: string;
  /** A client's page under a review link: their name, what they review, until when; none of the console's links. */
  guest?: { name: string; projectId: string; episode: string; expiresAt: string };
}

export function page(frame: PageFrame): Html {
  const { episode, tab } = frame;
  const base = episode ? episodePath(episode) : '';
  const link = (to: Tab, label: string, href: string) => html`<a href="${href}" class="${tab === to ? 'on' : ''}">${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · Recoil console</title>
<link rel="stylesheet" href="/static/console.css">
<script type="module" src="/static/console.js"></script>
</head>
<body data-events="${frame.events ?? (episode ? `/events${base}` : '')}" data-version="${frame.version ?? 0}">
${frame.tab === 'guest' ? guestHeader(frame.guest) : html`<header class="top">
  <a class="brand" href="/">Recoil</a>
  ${episode ? html`<span class="crumb">${episode.projectId} <b>${episode.episode}</b></span>
  <nav>${link('board', 'Board', `${base}/board`)}${link('dailies', 'Dailies', `${base}/dailies`)}${link('delivery', 'Delivery', `${base}/delivery`)}${link('links', 'Client links', `${base}/links`)}</nav>` : ''}
  <a class="queue-link ${tab === 'queue' ? 'on' : ''}" href="/queue">Waiting for you</a>
  <span class="spacer"></span>
  ${episode || frame.events ? html`<span class="live" id="live-state" title="changes arrive by themselves">connecting…</span>` : ''}
  <form class="who" data-whoami>
    <label>reviewer <input name="name" value="${frame.user ?? ''}" placeholder="your name" maxlength="60" autocomplete="name"></label>
  </form>
</header>`}
<main class="tab-${tab}">
${frame.body}
</main>
<div class="keys" id="keys" hidden></div>
</body>
</html>`;
}

function guestHeader(guest: PageFrame['guest']): Html {
  return html`<header class="top guest">
  <span class="brand">Recoil</span>
  ${guest ? html`<span class="crumb">review of ${guest.projectId} <b>${guest.episode}</b></span>
  <span class="spacer"></span>
  <span class="sub">for ${guest.name} · open until ${guest.expiresAt.slice(0, 16).replace('T', ' ')} UTC</span>` : ''}
</header>`;
}

/** Where a decision's answer appears: "accepted", or "refused: <reason>" at once. */
export function outcomeSlot(id: string): Html {
  return html`<output class="outcome" id="${id}" data-outcome aria-live="polite"></output>`;
}

export function emptyBody(message: string): Html {
  return html`<section class="empty-page"><p class="empty">${message}</p></section>`;
}
