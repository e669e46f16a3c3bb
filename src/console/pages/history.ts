import { html } from 'hono/html';
import type { BoardRow } from '../../review/read-board.js';
import type { SequenceStatus } from '../../contract/sequence.js';
import type { SequenceRef } from '../refs.js';
import type { Html } from './layout.js';
import { stateLabel, usd, when } from './format.js';
import type { UnclaimedCharge } from '../../domain/billing-reconciliation.js';

interface HistoryEntry {
  at: string;
  by: string;
  what: string;
  why: string;
  refused: boolean;
}

/**
 * Every decision (taken or refused) and transition of a sequence, in the order they happened, with
 * the charges fal billed meanwhile that no take claims (one may be this sequence's lost take).
 */
export function historyEntries(status: SequenceStatus, unclaimed: readonly UnclaimedCharge[] = []): HistoryEntry[] {
  const transitions = status.history.map((t) => ({ at: t.at, by: t.by, what: `${stateLabel(t.from)} → ${stateLabel(t.to)}`, why: t.why, refused: false }));
  const decisions = status.decisions.map((d) => ({ at: d.at, by: d.by, what: `${d.decision} ${d.outcome}`, why: d.detail, refused: d.outcome === 'refused' }));
  const began = status.history[0]?.at;
  const charges = unclaimed
    .filter((c) => began !== undefined && c.billedAt >= began)
    .map((c) => ({ at: c.billedAt, by: 'fal', what: 'unclaimed charge', why: `request ${c.requestId} billed ${usd(c.usd)} (${c.endpoint}, ${c.outputUnits} s), claimed by no take`, refused: true }));
  return [...decisions, ...transitions, ...charges].sort((a, b) => a.at.localeCompare(b.at));
}

export function historyBody(ref: SequenceRef, row: BoardRow, unclaimed: readonly UnclaimedCharge[] = []): Html {
  const entries = row.status ? historyEntries(row.status, unclaimed) : [];
  return html`<section class="history">
  <div class="review-head"><h1>${ref.sequenceId} <span class="title">${row.status?.title ?? ''}</span> history</h1><span class="state st-${row.state}">${stateLabel(row.state)}</span></div>
  <table class="events" id="history" data-live>
    <thead><tr><th>when</th><th>who</th><th>what</th><th>why</th></tr></thead>
    <tbody>${entries.map((e) => html`<tr class="${e.refused ? 'refused' : ''}"><td>${when(e.at)}</td><td>${e.by}</td><td>${e.what}</td><td>${e.why}</td></tr>`)}</tbody>
  </table>
  ${row.status ? '' : html`<p class="hint">No worker answered; only the state from the server's index is known.</p>`}
</section>`;
}
