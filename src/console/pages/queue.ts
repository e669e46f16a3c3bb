import { html } from 'hono/html';
import { episodePath, sequencePath, takeName, type EpisodeRef } from '../refs.js';
import type { EpisodeSnapshot } from '../episode-snapshot.js';
import { reviewQueue, type QueueItem } from './dailies.js';
import type { Html } from './layout.js';
import { when } from './format.js';

export interface StudioQueueItem extends QueueItem {
  episode: EpisodeRef;
}

/** What waits for a person across every episode of every project, oldest first. */
export function studioQueue(snapshots: readonly EpisodeSnapshot[]): StudioQueueItem[] {
  return snapshots
    .flatMap((snapshot) => reviewQueue(snapshot).map((item) => ({ ...item, episode: { projectId: snapshot.projectId, episode: snapshot.episode } })))
    .sort((a, b) => a.since.localeCompare(b.since));
}

/** Where an item is decided: Dailies for a take or a cut-off submission, Start frames for a grid. */
export function queueItemHref(item: StudioQueueItem): string {
  const base = episodePath(item.episode);
  if (item.kind === 'frames') return `${sequencePath({ ...item.episode, sequenceId: item.sequenceId })}/frames`;
  return item.kind === 'submission' ? `${base}/dailies?seq=${item.sequenceId}` : `${base}/dailies?seq=${item.sequenceId}&take=${item.take.take}`;
}

export function queueBody(items: readonly StudioQueueItem[], episodes: readonly EpisodeRef[]): Html {
  return html`<section class="studio-queue">
  <h1>Waiting for you <span class="count">${items.length}</span></h1>
  <p class="hint">Every running episode of every project, oldest first. Each episode's Board is still there: ${episodes.map((e) => html`<a href="${episodePath(e)}/board">${e.projectId} ${e.episode}</a> `)}</p>
  <table class="queue-table" id="studio-queue" data-live>
    <thead><tr><th>waiting since</th><th>project</th><th>episode</th><th>sequence</th><th>what</th></tr></thead>
    <tbody>${items.map(
      (item) => html`<tr data-queue-item="${item.episode.projectId}/${item.episode.episode}/${item.sequenceId}">
        <td>${when(item.since)}</td><td>${item.episode.projectId}</td><td><a href="${episodePath(item.episode)}/board">${item.episode.episode}</a></td>
        <td><b>${item.sequenceId}</b> <span class="sub">${item.title ?? ''}</span></td>
        <td><a href="${queueItemHref(item)}">${item.kind === 'frames' ? 'pick a start frame' : item.kind === 'submission' ? `${takeName(item.take.take)}: settle its cut-off submission` : `review ${takeName(item.take.take)}`}</a></td>
      </tr>`,
    )}</tbody>
  </table>
  ${items.length === 0 ? html`<p class="empty">Nothing waits for a decision in any running episode.</p>` : ''}
</section>`;
}
