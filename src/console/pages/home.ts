import { html } from 'hono/html';
import { episodePath, type EpisodeRef } from '../refs.js';
import type { Html } from './layout.js';

export interface EpisodeListing extends EpisodeRef {
  running: boolean;
  startedAt: Date;
}

export function homeBody(episodes: EpisodeListing[]): Html {
  return html`<section class="home">
  <h1>Episodes</h1>
  ${episodes.length === 0 ? html`<p class="empty">No episode has been started on this Temporal server yet: <code>npx recoil run &lt;project&gt; --episode EP001</code>.</p>` : ''}
  <ul class="episodes">${episodes.map(
    (e) => html`<li><a href="${episodePath(e)}/board"><b>${e.projectId}</b> ${e.episode}</a> <span class="sub">${e.running ? 'running' : 'finished'} · started ${e.startedAt.toISOString().slice(0, 16).replace('T', ' ')}</span>
      <a href="${episodePath(e)}/dailies">Dailies</a> <a href="${episodePath(e)}/delivery">Delivery</a></li>`,
  )}</ul>
</section>`;
}
