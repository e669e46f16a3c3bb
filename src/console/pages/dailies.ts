import { html } from 'hono/html';
import type { TakeManifest } from '../../store/takes/take-manifest.js';
import type { BoardRow } from '../../review/read-board.js';
import type { TakeSummary } from '../../contract/sequence.js';
import type { EpisodeSnapshot } from '../episode-snapshot.js';
import { episodePath, sequencePath, takeName, type SequenceRef } from '../refs.js';
import { shotSpans } from '../take-details.js';
import { outcomeSlot, type Html } from './layout.js';
import { newestWatchable, stateLabel, usd, when } from './format.js';
import { notesOf, notesPanel, retakeDraft, takeTimecode } from './notes.js';
import { player, stretchLabel } from './player.js';
import { settlePanel, submissionQuestionOf } from './settle.js';

export interface QueueItem {
  sequenceId: string;
  title?: string;
  take: TakeSummary;
  kind: 'take' | 'frames' | 'submission';
  /** When it began to wait: the take finished, the grid was ready, the submission was cut off. */
  since: string;
}

/** What waits for a person across the episode, oldest first: finished takes, start-frame picks and cut-off submissions. */
export function reviewQueue(snapshot: EpisodeSnapshot): QueueItem[] {
  const items = snapshot.sequences.flatMap((row): QueueItem[] => {
    const status = row.status;
    if (!status) return [];
    const take = newestWatchable(status.takes);
    const question = submissionQuestionOf(row);
    if (question) {
      const cutOff = status.takes.find((t) => t.take === question.take) ?? { take: question.take, state: 'generating' as const, estimatedCostUsd: 0, startedAt: '' };
      return [{ sequenceId: row.sequenceId, ...(status.title ? { title: status.title } : {}), take: cutOff, kind: 'submission', since: status.history.at(-1)?.at ?? cutOff.startedAt }];
    }
    if (row.state === 'video_complete' && take) return [{ sequenceId: row.sequenceId, ...(status.title ? { title: status.title } : {}), take, kind: 'take', since: take.finishedAt ?? take.startedAt }];
    if (row.state === 'frame_review') {
      const since = status.history.at(-1)?.at ?? '';
      return [{ sequenceId: row.sequenceId, ...(status.title ? { title: status.title } : {}), take: { take: 0, state: 'complete', estimatedCostUsd: 0, startedAt: since }, kind: 'frames', since }];
    }
    return [];
  });
  return items.sort((a, b) => a.since.localeCompare(b.since));
}

export interface DailiesView {
  snapshot: EpisodeSnapshot;
  selected?: { row: BoardRow; take: TakeSummary; manifest: TakeManifest | undefined };
  /** The sequence asked for, when its cut-off submission waits for a person. */
  asking?: BoardRow;
}

export function dailiesBody(view: DailiesView): Html {
  const { snapshot, selected, asking } = view;
  const question = asking && submissionQuestionOf(asking);
  const ref = asking && { projectId: snapshot.projectId, episode: snapshot.episode, sequenceId: asking.sequenceId };
  return html`<div class="dailies">
  <aside class="queue" id="queue" data-live>${queue(snapshot, selected, asking)}</aside>
  <div class="dailies-main">
    <div id="settle-panel" data-live>${ref && question ? html`<h1 class="settle-title">${asking.sequenceId} <span class="title">${asking.status?.title ?? ''}</span></h1>${settlePanel(ref, question, 'dailies')}` : ''}</div>
    ${selected
      ? review(snapshot, selected)
      : question
        ? ''
        : html`<section class="review empty"><p>Nothing waits for a decision. Finished takes appear here by themselves.</p></section>`}
  </div>
</div>`;
}

function queue(snapshot: EpisodeSnapshot, selected: DailiesView['selected'], asking: BoardRow | undefined): Html {
  const items = reviewQueue(snapshot);
  const base = episodePath(snapshot);
  return html`<h2>Waiting for you <span class="count">${items.length}</span></h2>
  <ol>${items.map((item) => {
    const on = item.kind === 'submission' ? asking?.sequenceId === item.sequenceId : selected && selected.row.sequenceId === item.sequenceId && selected.take.take === item.take.take;
    const href =
      item.kind === 'frames' ? `${sequencePath({ ...snapshot, sequenceId: item.sequenceId })}/frames` : item.kind === 'submission' ? `${base}/dailies?seq=${item.sequenceId}` : `${base}/dailies?seq=${item.sequenceId}&take=${item.take.take}`;
    return html`<li class="${on ? 'on' : ''}" data-queue-item="${item.sequenceId}"><a href="${href}">
      <b>${item.sequenceId}</b> ${item.kind === 'frames' ? html`<span class="tag">start frame</span>` : item.kind === 'submission' ? html`<span class="tag warn">${takeName(item.take.take)} cut off</span>` : html`<span class="tag">${takeName(item.take.take)}</span>`}
      <span class="sub">${item.title ?? ''}</span>
      <span class="sub">${item.kind === 'frames' ? 'pick one of four' : item.kind === 'submission' ? 'adopt, submit again or give up' : `${usd(item.take.costUsd ?? item.take.estimatedCostUsd)} · ${when(item.take.finishedAt)}`}</span>
    </a></li>`;
  })}</ol>
  ${items.length === 0 ? html`<p class="empty">Nothing waits for a decision.</p>` : ''}`;
}

function review(snapshot: EpisodeSnapshot, selected: NonNullable<DailiesView['selected']>): Html {
  const { row, take, manifest } = selected;
  const ref: SequenceRef = { projectId: snapshot.projectId, episode: snapshot.episode, sequenceId: row.sequenceId };
  const status = row.status;
  const spans = manifest ? shotSpans(manifest) : [];
  const decidable = row.state === 'video_complete' && newestWatchable(status?.takes ?? [])?.take === take.take;
  const notes = notesOf(take);
  const timecode = takeTimecode(manifest);
  const shotNotes = (shot: number) => notes.filter((n) => n.shot === shot);
  return html`<section class="review" data-take="${take.take}" data-sequence="${row.sequenceId}">
  <div class="review-head">
    <h1>${row.sequenceId} <span class="title">${status?.title ?? ''}</span> <span class="tag">${takeName(take.take)}</span></h1>
    <span id="review-state" data-live class="state st-${row.state}">${stateLabel(row.state)}${status?.approvedTake === take.take ? ' · this take' : ''}</span>
    <span class="spacer"></span>
    <a href="${sequencePath(ref)}/compare">Compare</a> <a href="${sequencePath(ref)}/history">History</a>
  </div>
  <div class="review-stage">
    ${player({ id: 'player', src: `/media/take/${ref.projectId}/${ref.episode}/${ref.sequenceId}/${take.take}/video`, manifest, durationSec: take.durationSec ?? 0, ...(take.critics ? { critics: take.critics } : {}) })}
    ${notesPanel(ref, take, manifest, 'player')}
  </div>
  <div class="review-grid">
    <div class="facts">
      <dl>
        <dt>cost</dt><dd>${usd(take.costUsd ?? take.estimatedCostUsd)}${take.costUsd === undefined ? ' (estimate)' : ''}</dd>
        <dt>model</dt><dd>${manifest ? `${manifest.model} on ${manifest.provider}` : '—'}</dd>
        <dt>length</dt><dd>${take.durationSec?.toFixed(2) ?? '—'} s</dd>
        ${manifest?.inputs.retakeNote ? html`<dt>asked for</dt><dd class="note">${manifest.inputs.retakeNote}</dd>` : ''}
      </dl>
      <h3>Critics</h3>
      <ul class="findings">${(take.critics?.findings ?? []).map((f) => html`<li class="${f.ok ? 'ok' : 'bad'}"><b>${f.critic}</b> ${f.message}${(f.stretches ?? []).map((s) => html` <button type="button" class="seek" data-seek="${s.startSec}">${stretchLabel(f.critic, s.startSec, s.endSec)}</button>`)}</li>`)}</ul>
      ${take.critics ? '' : html`<p class="hint">No critic report on this take.</p>`}
      <h3>Shots</h3>
      <ol class="shots">${spans.map((s) => html`<li><button type="button" class="seek" data-seek="${s.startSec}">${s.startSec.toFixed(1)}–${s.endSec.toFixed(1)} s</button> <span class="prompt">${s.prompt}</span></li>`)}</ol>
    </div>
    <div class="decide" id="decide" data-live>
      <form class="approve" id="approve-form" data-action="${sequencePath(ref)}/decide" data-outcome-target="decide-outcome" data-key="a"><fieldset ${decidable ? '' : 'disabled'}>
        <input type="hidden" name="kind" value="approve"><input type="hidden" name="take" value="${take.take}">
        <label>note <input name="note" maxlength="500" placeholder="optional"></label>
        <button type="submit" class="approve-btn">Approve ${takeName(take.take)} <kbd>A</kbd></button>
      </fieldset></form>
      <form class="retake" id="retake-form" data-action="${sequencePath(ref)}/decide" data-outcome-target="decide-outcome" data-key="r"><fieldset ${decidable ? '' : 'disabled'}>
        <input type="hidden" name="kind" value="retake">
        <label>what should change${notes.length ? html` <span class="hint">(the take's notes, to edit)</span>` : ''} <textarea name="note" rows="${notes.length ? Math.min(8, notes.length + 1) : 2}" maxlength="2000" required placeholder="e.g. slower push-in, hold on the van">${retakeDraft(take, manifest)}</textarea></label>
        <details ${notes.length ? 'open' : ''}><summary>New prompts per shot</summary>
          ${spans.map((s) => html`<label>shot ${s.index} <textarea name="shot-${s.index}" rows="2" maxlength="2000" data-original="${s.prompt}">${s.prompt}</textarea>${shotNotes(s.index).map((n) => html`<small class="shot-note">✎ ${timecode(n.frame)} ${n.text}</small>`)}</label>`)}
        </details>
        <button type="submit" class="retake-btn">Retake <kbd>R</kbd></button>
      </fieldset></form>
      ${decidable ? '' : html`<p class="hint" id="not-waiting">This take is not waiting for a decision (${stateLabel(row.state)}).</p>`}
      ${outcomeSlot('decide-outcome')}
    </div>
  </div>
</section>`;
}
