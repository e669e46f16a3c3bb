import { html } from 'hono/html';
import type { BoardRow } from '../../review/read-board.js';
import type { EpisodeBilling } from '../../review/read-billing.js';
import { roundUsd } from '../../domain/price-table.js';
import { spendByOutcome } from '../../domain/spend-by-outcome.js';
import { redeliverCommand } from '../../review/read-money.js';
import { workflowUiUrl } from '../../review/ui-url.js';
import { SEQUENCE_STATES } from '../../domain/state-machine.js';
import type { EpisodeSnapshot } from '../episode-snapshot.js';
import { episodePath, sequencePath, takeName, type EpisodeRef } from '../refs.js';
import { outcomeSlot, type Html } from './layout.js';
import { newestWatchable, stateLabel, usd, when } from './format.js';
import { filmstrip } from './episode-cut.js';
import { settlePanel, submissionQuestionOf } from './settle.js';

export interface BoardView {
  snapshot: EpisodeSnapshot;
  /** What fal's bill says, as the last reconciliation left it on disk. */
  billing: EpisodeBilling;
  stateFilter?: string;
  namespace: string;
  uiBase: string;
}

export function boardBody(view: BoardView): Html {
  const { snapshot, stateFilter } = view;
  const rows = snapshot.sequences;
  const shown = rows.filter((r) => !stateFilter || r.state === stateFilter);
  const waiting = shown.filter((r) => r.state === 'awaiting_budget');
  const others = shown.filter((r) => r.state !== 'awaiting_budget');
  return html`<section class="board" id="board" data-live>
  ${moneyBar(snapshot, view.billing)}
  ${filmstrip(snapshot)}
  ${unclaimedCharges(view.billing)}
  ${deliveryBlocked(snapshot)}
  ${filterChips(snapshot, rows, stateFilter)}
  ${waiting.length > 0
    ? html`<section class="lane budget-lane" id="lane-budget"><h2>Waiting for budget <span class="count">${waiting.length}</span></h2>
      <p class="hint">These sequences cannot start their next paid call within what is left. Raise the budget to let them go on.</p>
      ${budgetForm(snapshot, 'budget-lane')}
      <div class="cards">${waiting.map((r) => card(r, view))}</div></section>`
    : ''}
  <div class="cards" id="cards">${others.length > 0 ? others.map((r) => card(r, view)) : html`<p class="empty">No sequence${stateFilter ? ` is ${stateLabel(stateFilter)}` : ' has started yet'}.</p>`}</div>
</section>`;
}

function moneyBar(snapshot: EpisodeSnapshot, billing: EpisodeBilling): Html {
  const status = snapshot.episodeStatus;
  const spent = status?.spentUsd ?? snapshot.sequences.reduce((sum, r) => sum + r.spentUsd, 0);
  const budget = status?.budgetUsd;
  const outcome = spendByOutcome(snapshot.sequences.flatMap((r) => (r.status ? [{ takes: r.status.takes, ...(r.status.approvedTake !== undefined ? { approvedTake: r.status.approvedTake } : {}) }] : [])));
  const billedShare = billing.spend.billedUsd;
  return html`<div class="money" id="money">
  <div><span class="label">spent</span> <b data-spent>${usd(spent)}</b>${budget !== undefined ? html` <span class="label">of</span> <b>${usd(budget)}</b>` : html` <span class="label">no budget cap</span>`}</div>
  ${budget !== undefined ? html`<meter min="0" max="${budget}" low="${budget * 0.7}" high="${budget * 0.9}" optimum="0" value="${spent}"></meter>` : ''}
  <div id="money-billed" title="${billing.readUntil ? `fal's bill read ${billing.readUntil}` : "fal's bill not read yet: npx recoil reconcile"}"><span class="label">billed by fal</span> <b data-billed>${usd(billedShare)}</b> <span class="label">estimated</span> ${usd(Math.max(0, roundUsd(billing.spend.totalUsd - billedShare)))}</div>
  <div id="money-outcome"><span class="label">on approved takes</span> <b data-approved-spend>${usd(outcome.approvedUsd)}</b> <span class="label">billed but discarded</span> <b class="${outcome.discardedUsd > 0 ? 'wasted' : ''}" data-discarded-spend>${usd(outcome.discardedUsd)}</b>${outcome.failedUsd > 0 ? html` <span class="label">failed calls</span> ${usd(outcome.failedUsd)}` : ''}</div>
  <div><span class="label">reserved</span> ${usd(status?.reservedUsd)}</div>
  <div><span class="label">left</span> ${usd(status?.leftUsd)}</div>
  <div><span class="label">generating</span> ${status ? `${status.generating.length} of ${status.maxParallel}` : '—'}</div>
  ${status?.state === 'delivered' || status?.state === 'settled_with_failures' ? html`<div class="done">episode done</div>` : ''}
  ${status && !status.done ? budgetForm(snapshot, 'budget') : ''}
</div>`;
}

/** Money fal took that no take accounts for: the producer checks it against fal's dashboard. */
function unclaimedCharges(billing: EpisodeBilling): Html {
  if (billing.unclaimed.length === 0) return html``;
  const total = billing.unclaimed.reduce((sum, c) => sum + c.usd, 0);
  return html`<section class="lane unclaimed" id="unclaimed"><h2>Unclaimed charges <span class="count">${billing.unclaimed.length}</span> <span class="amount">${usd(total)}</span></h2>
  <p class="hint">fal billed these requests on this account, and no take claims them: a job sent by something else with the same key, or a take lost before its request id was recorded. Look them up on fal's dashboard.</p>
  <table class="events"><thead><tr><th>request id</th><th>billed</th><th>amount</th><th>endpoint</th></tr></thead>
  <tbody>${billing.unclaimed.map((c) => html`<tr data-request-id="${c.requestId}"><td><code>${c.requestId}</code></td><td>${when(c.billedAt)}</td><td>${usd(c.usd)}</td><td>${c.endpoint} · ${c.outputUnits} s</td></tr>`)}</tbody></table>
</section>`;
}

/** A delivery that was refused: why, and the one decision that moves it on once that is fixed. */
function deliveryBlocked(snapshot: EpisodeSnapshot): Html {
  const status = snapshot.episodeStatus;
  const blocked = status?.deliveryBlocked;
  if (!status || status.state !== 'delivery_blocked' || !blocked) return html``;
  return html`<section class="lane delivery-blocked" id="delivery-blocked" data-state="delivery_blocked"><h2>Delivery blocked</h2>
  <p class="reason" id="delivery-blocked-reason">${blocked.reason}</p>
  <p class="hint">Every sequence is approved, but the cut could not be made${blocked.attempts > 1 ? ` (refused ${blocked.attempts} times)` : ''}, since ${when(blocked.since)}. Fix what it says, then deliver again (or run <code>${redeliverCommand(status)}</code>).</p>
  <form class="redeliver" id="redeliver-form" data-action="${episodePath(snapshot)}/redeliver" data-outcome-target="redeliver-outcome">
    <button type="submit" class="primary">Deliver again</button> ${outcomeSlot('redeliver-outcome')}
  </form>
</section>`;
}

/** The same form in the money bar and in the lane of sequences waiting for budget. */
function budgetForm(ref: EpisodeRef & { episodeStatus?: { budgetUsd?: number } }, id: string): Html {
  const suggested = Math.ceil((ref.episodeStatus?.budgetUsd ?? 0) * 1.5);
  return html`<form class="budget" id="${id}-form" data-action="${episodePath(ref)}/budget" data-outcome-target="${id}-outcome">
  <label>budget $ <input name="budgetUsd" type="number" min="0" step="1" value="${suggested}" required></label>
  <button type="submit">${id === 'budget' ? 'Set' : 'Raise the budget'}</button> ${outcomeSlot(`${id}-outcome`)}
</form>`;
}

function filterChips(ref: EpisodeRef, rows: BoardRow[], active: string | undefined): Html {
  const base = `${episodePath(ref)}/board`;
  const counts = SEQUENCE_STATES.map((state) => ({ state, n: rows.filter((r) => r.state === state).length })).filter((c) => c.n > 0);
  return html`<nav class="filters" aria-label="filter by state">
  <a href="${base}" class="${active ? '' : 'on'}">all <span class="count">${rows.length}</span></a>
  ${counts.map((c) => html`<a href="${base}?state=${c.state}" class="${active === c.state ? 'on' : ''} st-${c.state}">${stateLabel(c.state)} <span class="count">${c.n}</span></a>`)}
</nav>`;
}

function card(row: BoardRow, view: BoardView): Html {
  const ref = { projectId: view.snapshot.projectId, episode: view.snapshot.episode, sequenceId: row.sequenceId };
  const status = row.status;
  const take = status ? newestWatchable(status.takes) : undefined;
  const last = status?.history.at(-1);
  const seq = sequencePath(ref);
  const question = submissionQuestionOf(row);
  return html`<article class="card st-${row.state}" id="card-${row.sequenceId}" data-state="${row.state}">
  <a class="poster" href="${take ? `${episodePath(ref)}/dailies?seq=${row.sequenceId}&take=${take.take}` : `${seq}/history`}">
    ${take
      ? html`<video id="poster-${row.sequenceId}-${take.take}" preload="metadata" muted playsinline src="/media/take/${ref.projectId}/${ref.episode}/${row.sequenceId}/${take.take}/video#t=0.5"></video>`
      : html`<span class="no-poster">${status?.grids.length ? 'start frames' : 'no take yet'}</span>`}
  </a>
  <div class="card-head"><b>${row.sequenceId}</b> <span class="title">${status?.title ?? ''}</span><span class="state st-${row.state}">${stateLabel(row.state)}</span></div>
  <dl>
    <dt>takes</dt><dd>${status ? `${status.takes.length} / ${status.maxTakes}` : '—'}${take ? html` · newest ${takeName(take.take)}` : ''}</dd>
    <dt>spent</dt><dd>${usd(row.spentUsd)}${status?.takes.some((t) => t.billedUsd !== undefined) ? html` <span class="billed-mark" title="what fal's billing records say it cost">per fal's bill</span>` : ''}</dd>
    ${status?.waitingFor && !question ? html`<dt>waits for</dt><dd class="waits">${status.waitingFor}</dd>` : ''}
    ${last ? html`<dt>last</dt><dd class="last">${stateLabel(last.to)} · ${last.by} · ${when(last.at)}<br><span class="why">${last.why}</span></dd>` : ''}
  </dl>
  ${question ? settlePanel(ref, question, 'card') : ''}
  <div class="card-links">
    ${row.state === 'video_complete' && take ? html`<a href="${episodePath(ref)}/dailies?seq=${row.sequenceId}&take=${take.take}" class="primary">Review</a>` : ''}
    ${status?.grids.length ? html`<a href="${seq}/frames">Frames</a>` : ''}
    ${status && status.takes.filter((t) => t.videoPath).length > 1 ? html`<a href="${seq}/compare">Compare</a>` : ''}
    <a href="${seq}/history">History</a>
    <a href="${workflowUiUrl(row.workflowId, view.namespace, view.uiBase)}" target="_blank" rel="noopener noreferrer" class="ext">Temporal ↗</a>
  </div>
</article>`;
}
