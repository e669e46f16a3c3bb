import { html } from 'hono/html';
import type { DeliverySummary } from '../../store/delivery/list-deliveries.js';
import { formatLength } from '../../domain/timecode.js';
import type { EpisodeRef } from '../refs.js';
import type { Html } from './layout.js';
import { takeName } from '../refs.js';
import { usd } from './format.js';

export function deliveryBody(ref: EpisodeRef, versions: DeliverySummary[]): Html {
  const newestFirst = [...versions].reverse();
  return html`<section class="delivery" id="delivery" data-live>
  <h1>Delivered cuts</h1>
  ${newestFirst.length === 0 ? html`<p class="empty">Nothing delivered yet: the episode delivers once every sequence is approved.</p>` : ''}
  ${newestFirst.map((v, i) => version(ref, v, i === 0))}
</section>`;
}

function version(ref: EpisodeRef, v: DeliverySummary, newest: boolean): Html {
  const media = `/media/delivery/${ref.projectId}/${ref.episode}/${v.version}`;
  return html`<article class="version" id="version-${v.version}">
  <h2>${v.name} ${newest ? html`<span class="tag">newest</span>` : ''}</h2>
  <div class="version-grid">
    <video id="cut-${v.version}" controls preload="${newest ? 'auto' : 'metadata'}" src="${media}/cut"></video>
    <dl>
      <dt>made</dt><dd>${v.createdAt ? v.createdAt.slice(0, 16).replace('T', ' ') : 'before manifests'}</dd>
      <dt>length</dt><dd>${v.durationSec === null ? '—' : formatLength(v.durationSec)}${v.frameRate ? ` at ${v.frameRate} fps` : ''}</dd>
      <dt>spent</dt><dd>${v.totalSpendUsd === null ? '—' : usd(v.totalSpendUsd)}</dd>
      <dt>takes</dt><dd>${v.takes.map((t) => `${t.sequenceId} ${takeName(t.take)}`).join(', ')}</dd>
      <dt>files</dt><dd><ul class="files">
        ${v.files.length === 0
          ? html`<li><a href="${media}/cut" download>the cut</a> <span class="sub">(made before manifests)</span></li>`
          : html`${v.files.map((f, i) => html`<li><a href="${media}/${i}" download="${f.path}">${f.path}</a> <span class="sub">${Math.ceil(f.bytes / 1024)} KB</span></li>`)}
        <li><a href="${media}/manifest" download="manifest.json">manifest.json</a> <span class="sub">every file's size and sha256</span></li>`}
      </ul></dd>
    </dl>
  </div>
</article>`;
}
