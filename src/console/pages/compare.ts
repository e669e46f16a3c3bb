import { html } from 'hono/html';
import type { TakeManifest } from '../../store/takes/take-manifest.js';
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

/** How the two takes are shown, as the URL keeps it: side by side, a wipe over one picture, or A/B on one picture. */
export const COMPARE_VIEWS = ['side', 'wipe', 'toggle'] as const;

/**
 * Two takes: the left (A) leads and has the sound, the right (B) follows muted, `offset` frames
 * later or earlier. Side by side, as a wipe (a split line dragged over one picture) or toggled A/B
 * on one picture; the page keeps the view, the split, the offset and the frame in its URL.
 */
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
      <input type="hidden" name="view" value=""><input type="hidden" name="split" value=""><input type="hidden" name="offset" value="">
      <button type="submit">Show</button>
    </form><span class="spacer"></span>
    <span class="hint">space plays both · ← → step · M swaps the sound · click a side, then N for a note on it</span>
    <a href="${sequencePath(ref)}/history">History</a></div>
  ${compareTools()}
  <div class="side-by-side" data-compare data-view="side">
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

/** The view buttons and B's offset, shared by the console's Compare and the guest's. */
export function compareTools(): Html {
  return html`<div class="compare-tools" data-compare-tools>
    <span role="group" aria-label="view">${COMPARE_VIEWS.map(
      (view) => html`<button type="button" data-view="${view}" aria-pressed="${view === 'side'}">${{ side: html`side by side`, wipe: html`wipe <kbd>W</kbd>`, toggle: html`A/B <kbd>T</kbd>` }[view]}</button>`,
    )}</span>
    <span class="showing" data-showing></span>
    <span class="offset">B is <button type="button" data-offset-step="-1" title="B one frame earlier ([)">−</button><input type="number" step="1" value="0" data-offset aria-label="B's offset in frames"><button type="button" data-offset-step="1" title="B one frame later (])">+</button> frames from A</span>
  </div>`;
}
