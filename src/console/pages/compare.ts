import { html } from 'hono/html';
import type { TakeManifest } from '../../activities/takes/take-manifest.js';
import type { TakeSummary } from '../../contract/sequence.js';
import { sequencePath, takeName, type SequenceRef } from '../refs.js';
import type { Html } from './layout.js';
import { usd } from './format.js';
import { notesPanel } from './notes.js';
import { player } from './player.js';

export interface CompareSide {
  take: TakeSummary;
  manifest: TakeManifest | undefined;
}

/** Two takes side by side: the left one leads and has the sound, the right one follows muted. */
export function compareBody(ref: SequenceRef, watchable: TakeSummary[], a: CompareSide, b: CompareSide): Html {
  const media = (t: number) => `/media/take/${ref.projectId}/${ref.episode}/${ref.sequenceId}/${t}/video`;
  const shotsA = a.manifest?.inputs.shots ?? [];
  const shotsB = b.manifest?.inputs.shots ?? [];
  const count = Math.max(shotsA.length, shotsB.length);
  return html`<section class="compare">
  <div class="review-head"><h1>${ref.sequenceId} compare</h1>
    <form class="pick-takes" method="get">
      <select name="a">${watchable.map((t) => html`<option value="${t.take}" ${t.take === a.take.take ? 'selected' : ''}>${takeName(t.take)}</option>`)}</select>
      vs
      <select name="b">${watchable.map((t) => html`<option value="${t.take}" ${t.take === b.take.take ? 'selected' : ''}>${takeName(t.take)}</option>`)}</select>
      <button type="submit">Show</button>
    </form><span class="spacer"></span>
    <span class="hint">space plays both · ← → step · M swaps the sound · click a side, then N for a note on it</span>
    <a href="${sequencePath(ref)}/history">History</a></div>
  <div class="side-by-side" data-compare>
    ${[a, b].map(
      (side, i) => html`<div class="side">
      <div class="side-head"><span class="tag">${takeName(side.take.take)}</span> ${usd(side.take.costUsd ?? side.take.estimatedCostUsd)} · ${side.manifest?.model ?? ''} <span class="sound" data-sound="${i}">${i === 0 ? 'sound' : 'muted'}</span></div>
      ${player({ id: i === 0 ? 'lead' : 'follow', src: media(side.take.take), manifest: side.manifest, durationSec: side.take.durationSec ?? 0, ...(side.take.critics ? { critics: side.take.critics } : {}), muted: i === 1 })}
      ${notesPanel(ref, side.take, side.manifest, i === 0 ? 'lead' : 'follow')}
    </div>`,
    )}
  </div>
  <table class="prompt-diff">
    <thead><tr><th>shot</th><th>${takeName(a.take.take)}</th><th>${takeName(b.take.take)}</th></tr></thead>
    <tbody>${Array.from({ length: count }, (_, i) => {
      const pa = shotsA[i]?.prompt ?? '';
      const pb = shotsB[i]?.prompt ?? '';
      return html`<tr class="${pa === pb ? 'same' : 'changed'}" data-shot="${i + 1}"><td>${i + 1}${pa === pb ? '' : html` <span class="tag">changed</span>`}</td><td>${pa}</td><td>${pb}</td></tr>`;
    })}
    ${a.manifest?.inputs.retakeNote || b.manifest?.inputs.retakeNote ? html`<tr class="notes"><td>asked for</td><td>${a.manifest?.inputs.retakeNote ?? ''}</td><td>${b.manifest?.inputs.retakeNote ?? ''}</td></tr>` : ''}
    </tbody>
  </table>
</section>`;
}
