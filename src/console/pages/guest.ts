import { html } from 'hono/html';
import type { TakeManifest } from '../../store/takes/take-manifest.js';
import type { TakeSummary } from '../../contract/sequence.js';
import { VERDICTS, verdictLabel } from '../../domain/take-notes.js';
import type { EpisodeSnapshot } from '../episode-snapshot.js';
import { linkAllows, type ReviewLink } from '../review-links.js';
import { takeName, type SequenceRef } from '../refs.js';
import { compareTools } from './compare.js';
import { when } from './format.js';
import { outcomeSlot, type Html } from './layout.js';
import { notesPanel } from './notes.js';
import { player } from './player.js';

/** A sequence as a guest sees it: only the finished takes their link lets them see. */
export interface GuestSequence {
  sequenceId: string;
  title?: string;
  takes: TakeSummary[];
}

export function guestSequences(snapshot: EpisodeSnapshot, link: ReviewLink): GuestSequence[] {
  return snapshot.sequences.flatMap((row) => {
    const takes = (row.status?.takes ?? []).filter((t) => t.videoPath && linkAllows(link, row.sequenceId, t.take));
    return takes.length ? [{ sequenceId: row.sequenceId, ...(row.status?.title ? { title: row.status.title } : {}), takes }] : [];
  });
}

function takesCount(sequences: readonly GuestSequence[]): string {
  const count = sequences.reduce((n, s) => n + s.takes.length, 0);
  return `${count} take${count === 1 ? '' : 's'}`;
}

/** Everything under a guest's link lives below its own path; the guest never sees a console URL. */
export function guestPath(token: string): string {
  return `/review/${token}`;
}

export interface GuestDailiesView {
  token: string;
  link: ReviewLink;
  sequences: GuestSequence[];
  selected?: { sequenceId: string; take: TakeSummary; manifest: TakeManifest | undefined };
}

/** The guest's Dailies: the link's takes, a player with notes, and their word on the take for the director. */
export function guestDailiesBody(view: GuestDailiesView): Html {
  const { token, link, sequences, selected } = view;
  const base = guestPath(token);
  return html`<div class="dailies guest">
  <aside class="queue">
    <h2>${link.episode} <span class="count">${takesCount(sequences)}</span></h2>
    <ol>${sequences.flatMap((s) =>
      s.takes.map((t) => {
        const on = selected?.sequenceId === s.sequenceId && selected.take.take === t.take;
        return html`<li class="${on ? 'on' : ''}" data-guest-take="${s.sequenceId}/${t.take}"><a href="${base}/dailies?seq=${s.sequenceId}&take=${t.take}"><b>${s.sequenceId}</b> <span class="tag">${takeName(t.take)}</span><span class="sub">${s.title ?? ''}</span></a></li>`;
      }),
    )}</ol>
    ${sequences.length === 0 ? html`<p class="empty">Nothing to watch yet: finished takes appear here.</p>` : ''}
  </aside>
  <div class="dailies-main">${selected ? guestReview(view, selected) : html`<section class="review empty"><p>Pick a take on the left.</p></section>`}</div>
</div>`;
}

function guestReview({ token, link, sequences }: GuestDailiesView, { sequenceId, take, manifest }: NonNullable<GuestDailiesView['selected']>): Html {
  const base = guestPath(token);
  const ref: SequenceRef = { projectId: link.projectId, episode: link.episode, sequenceId };
  const others = sequences.find((s) => s.sequenceId === sequenceId)?.takes.filter((t) => t.take !== take.take) ?? [];
  return html`<section class="review" data-take="${take.take}" data-sequence="${sequenceId}">
  <div class="review-head">
    <h1>${sequenceId} <span class="tag">${takeName(take.take)}</span></h1>
    <span class="spacer"></span>
    ${others.length ? html`<a href="${base}/compare?seq=${sequenceId}&a=${others.at(-1)!.take}&b=${take.take}">Compare with ${takeName(others.at(-1)!.take)}</a>` : ''}
  </div>
  <div class="review-stage">
    ${player({ id: 'player', src: `${base}/media/${sequenceId}/${take.take}`, manifest, durationSec: take.durationSec ?? 0 })}
    ${notesPanel(ref, take, manifest, 'player', `${base}/s/${sequenceId}/note`)}
  </div>
  <form class="verdict" id="verdict-form" data-action="${base}/s/${sequenceId}/verdict" data-outcome-target="verdict-outcome">
    <input type="hidden" name="take" value="${take.take}">
    <fieldset><legend>Your word on ${takeName(take.take)} (the director confirms it)</legend>
      ${VERDICTS.map((v, i) => html`<label class="choice"><input type="radio" name="verdict" value="${v}" ${i === 0 ? 'checked' : ''}> ${verdictLabel(v)}</label>`)}
      <label>comment <textarea name="text" rows="2" maxlength="2000" placeholder="optional"></textarea></label>
      <button type="submit">Send to the production</button>
    </fieldset>
  </form>
  ${outcomeSlot('verdict-outcome')}
  <p class="hint">${take.durationSec?.toFixed(2) ?? '—'} s · finished ${when(take.finishedAt)}</p>
</section>`;
}

export interface GuestCompareView {
  token: string;
  link: ReviewLink;
  sequenceId: string;
  a: { take: TakeSummary; manifest: TakeManifest | undefined };
  b: { take: TakeSummary; manifest: TakeManifest | undefined };
}

/** Two of the link's takes of one sequence, with the same wipe and A/B as the console's Compare. */
export function guestCompareBody({ token, link, sequenceId, a, b }: GuestCompareView): Html {
  const base = guestPath(token);
  const ref: SequenceRef = { projectId: link.projectId, episode: link.episode, sequenceId };
  return html`<section class="compare">
  <div class="review-head"><h1>${sequenceId} compare</h1><span class="spacer"></span><a href="${base}/dailies?seq=${sequenceId}&take=${b.take.take}">Back to ${takeName(b.take.take)}</a></div>
  ${compareTools()}
  <div class="side-by-side" data-compare data-view="side">
    ${[a, b].map(
      (side, i) => html`<div class="side">
      <div class="side-head"><span class="tag">${takeName(side.take.take)}</span> <span class="sound" data-sound="${i}">${i === 0 ? 'sound' : 'muted'}</span></div>
      ${player({ id: i === 0 ? 'lead' : 'follow', src: `${base}/media/${sequenceId}/${side.take.take}`, manifest: side.manifest, durationSec: side.take.durationSec ?? 0, muted: i === 1 })}
      ${notesPanel(ref, side.take, side.manifest, i === 0 ? 'lead' : 'follow', `${base}/s/${sequenceId}/note`)}
    </div>`,
    )}
  </div>
</section>`;
}

/** What a guest sees when the link opens nothing: no hint of what is behind it. */
export function guestRefusedBody(reason: string): Html {
  return html`<section class="empty-page"><h1>Review link</h1><p class="empty">${reason}</p></section>`;
}
