import { html } from 'hono/html';
import type { BoardRow } from '../../review/read-board.js';
import type { TakeSummary } from '../../contract/sequence.js';
import type { EpisodeSnapshot } from '../episode-snapshot.js';
import { episodePath, takeName, type EpisodeRef } from '../refs.js';
import type { Html } from './layout.js';
import { newestWatchable, stateLabel } from './format.js';

/** What stands for a sequence in the cut: its approved take, else the newest one that can be watched. */
interface CutEntry {
  row: BoardRow;
  take: TakeSummary;
  approved: boolean;
}

function cutEntries(snapshot: EpisodeSnapshot): CutEntry[] {
  return snapshot.sequences.flatMap((row) => {
    const takes = row.status?.takes ?? [];
    const approved = takes.find((t) => t.take === row.status?.approvedTake && t.videoPath);
    const take = approved ?? newestWatchable(takes);
    return take ? [{ row, take, approved: Boolean(approved) }] : [];
  });
}

function mediaOf(ref: EpisodeRef, entry: CutEntry): string {
  return `/media/take/${ref.projectId}/${ref.episode}/${entry.row.sequenceId}/${entry.take.take}`;
}

/** How the take meets the one before it, when its plan links them: the continuity critic's word. */
function joint(entry: CutEntry): Html {
  const finding = entry.take.critics?.findings.find((f) => f.critic === 'continuity' && f.measured?.frame === 'first');
  if (!finding) return html`<li class="joint" aria-hidden="true"></li>`;
  return html`<li class="joint ${finding.ok ? 'meets' : 'jump'}" data-joint="${entry.row.sequenceId}" title="${finding.message}">${finding.ok ? 'meets' : 'jump'}</li>`;
}

/**
 * The Board's filmstrip: each sequence's first and last frame in plan order, so a producer sees the
 * cut flow (or jump) from one sequence to the next before anything is delivered.
 */
export function filmstrip(snapshot: EpisodeSnapshot): Html {
  const entries = cutEntries(snapshot);
  if (entries.length === 0) return html``;
  return html`<section class="filmstrip" id="filmstrip">
  <div class="filmstrip-head"><h2>The cut so far</h2><a class="primary" id="play-episode" href="${episodePath(snapshot)}/play">▶ Play the episode</a>
    <span class="hint">approved takes, or the newest where none is approved</span></div>
  <ol class="strip">
    ${entries.map(
      (entry, i) => html`${i > 0 ? joint(entry) : ''}<li class="strip-seq ${entry.approved ? 'approved' : 'unapproved'}" data-seq="${entry.row.sequenceId}" data-take="${entry.take.take}">
      <img src="${mediaOf(snapshot, entry)}/first-frame" alt="${entry.row.sequenceId} first frame" loading="lazy"><img src="${mediaOf(snapshot, entry)}/last-frame" alt="${entry.row.sequenceId} last frame" loading="lazy">
      <span class="strip-label"><b>${entry.row.sequenceId}</b> ${takeName(entry.take.take)} · ${entry.approved ? 'approved' : stateLabel(entry.row.state)}</span></li>`,
    )}
  </ol>
</section>`;
}

/** The whole episode back to back, the sequence named at each cut; the console's script plays the list. */
export function episodePlayerBody(snapshot: EpisodeSnapshot): Html {
  const entries = cutEntries(snapshot);
  const playlist = entries.map((entry) => ({
    sequenceId: entry.row.sequenceId,
    title: entry.row.status?.title ?? '',
    take: entry.take.take,
    approved: entry.approved,
    src: `${mediaOf(snapshot, entry)}/video`,
  }));
  return html`<section class="episode-player" id="episode-player" data-playlist="${JSON.stringify(playlist)}" data-index="0">
  <div class="review-head"><h1>${snapshot.episode} <span class="title">the episode, back to back</span></h1><span class="spacer"></span><a href="${episodePath(snapshot)}/board">Board</a></div>
  ${entries.length === 0
    ? html`<p class="empty">No sequence has a take to play yet.</p>`
    : html`<div class="picture"><video id="episode-video" playsinline controls preload="auto" src="${playlist[0]!.src}"></video>
    <div class="cut-caption" id="cut-caption" aria-live="polite">${captionOf(playlist[0]!)}</div></div>
  <ol class="episode-list">${playlist.map((item, i) => html`<li data-index="${i}" class="${i === 0 ? 'on' : ''}"><b>${item.sequenceId}</b> ${takeName(item.take)}${item.approved ? '' : html` <span class="sub">not approved</span>`} <span class="sub">${item.title}</span></li>`)}</ol>
  <p class="hint">Space plays and pauses; at the end of each take the next sequence starts.</p>`}
</section>`;
}

function captionOf(item: { sequenceId: string; take: number; title: string }): string {
  return `${item.sequenceId} · ${takeName(item.take)}${item.title ? ` · ${item.title}` : ''}`;
}
