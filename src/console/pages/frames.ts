import { html } from 'hono/html';
import type { BoardRow } from '../../review/read-board.js';
import type { GridSummary } from '../../contract/sequence.js';
import { sequencePath, type SequenceRef } from '../refs.js';
import { outcomeSlot, type Html } from './layout.js';
import { takeFolderName } from '../../domain/ids.js';
import { stateLabel, usd } from './format.js';

/**
 * Every grid of a sequence, newest first; quadrants of the newest are picked by click or keys 1–4.
 * Once the previous sequence has an approved take, its last frame is a fifth option (key 5): the
 * two sequences then meet on the same picture.
 */
export function framesBody(ref: SequenceRef, row: BoardRow): Html {
  const status = row.status;
  const grids = [...(status?.grids ?? [])].reverse();
  const newest = grids[0];
  const picking = row.state === 'frame_review';
  const previous = status?.previousApproval;
  return html`<section class="frames">
  <div class="review-head"><h1>${ref.sequenceId} <span class="title">${status?.title ?? ''}</span> start frames</h1>
    <span class="state st-${row.state}" id="frames-state" data-live>${stateLabel(row.state)}</span><span class="spacer"></span>
    <a href="${sequencePath(ref)}/history">History</a></div>
  ${outcomeSlot('pick-outcome')}
  <div id="grids" data-live>
  ${previous && (picking || grids.length > 0) ? previousFrameBlock(ref, previous, picking, status?.startFrame?.previous?.take === previous.take) : ''}
  ${grids.length === 0 ? html`<p class="empty">No start-frame options yet.</p>` : ''}
  ${grids.map((grid) => gridBlock(ref, grid, grid === newest && picking, status?.startFrame?.grid === grid.grid ? status.startFrame.quadrant : undefined))}
  </div>
  <form class="regenerate" data-action="${sequencePath(ref)}/decide" data-outcome-target="regen-outcome">
    <h3>New options</h3>
    <input type="hidden" name="kind" value="regenerateFrames">
    <label>prompt <textarea name="prompt" rows="3" maxlength="2000">${newest?.prompt ?? ''}</textarea></label>
    <label>note <input name="note" maxlength="500" placeholder="optional"></label>
    <button type="submit">Generate four new options</button> ${outcomeSlot('regen-outcome')}
  </form>
</section>`;
}

function previousFrameBlock(ref: SequenceRef, previous: { sequenceId: string; take: number }, pickable: boolean, chosen: boolean): Html {
  const image = `/media/take/${ref.projectId}/${ref.episode}/${previous.sequenceId}/${previous.take}/last-frame`;
  const label = `${previous.sequenceId} ${takeFolderName(previous.take)}'s last frame`;
  return html`<div class="grid-block previous-frame ${pickable ? 'pickable' : 'earlier'}" id="previous-frame">
  <div class="grid-head"><b>continue from ${previous.sequenceId}</b> <span class="prompt">the approved take's last frame: the two sequences cut together on it</span>${pickable ? html`<span class="hint">click it, or press 5</span>` : ''}</div>
  <div class="quadrants">
    <button type="button" class="quadrant ${chosen ? 'chosen' : ''}" ${pickable ? '' : 'disabled'} data-pick data-previous="true"
      data-action="${sequencePath(ref)}/decide" data-outcome-target="pick-outcome" title="start from ${label}${pickable ? ' (key 5)' : ''}">
      <img src="${image}" alt="${label}" loading="lazy"><span class="qn">5</span>${chosen ? html`<span class="chosen-tag">chosen</span>` : ''}</button>
  </div>
</div>`;
}

function gridBlock(ref: SequenceRef, grid: GridSummary, pickable: boolean, chosen: number | undefined): Html {
  const media = `/media/grid/${ref.projectId}/${ref.episode}/${ref.sequenceId}/${grid.grid}`;
  return html`<div class="grid-block ${pickable ? 'pickable' : 'earlier'}" id="grid-${grid.grid}">
  <div class="grid-head"><b>grid ${grid.grid}</b> <span class="sub">${usd(grid.costUsd)}</span> <span class="prompt">${grid.prompt}</span>${pickable ? html`<span class="hint">click one, or press 1–4</span>` : ''}</div>
  <div class="quadrants">
    ${[1, 2, 3, 4].map(
      (q) => html`<button type="button" class="quadrant ${chosen === q ? 'chosen' : ''}" ${pickable ? '' : 'disabled'} data-pick data-grid="${grid.grid}" data-quadrant="${q}"
        data-action="${sequencePath(ref)}/decide" data-outcome-target="pick-outcome" title="pick option ${q}${pickable ? ` (key ${q})` : ''}">
        <img src="${media}/${q}" alt="option ${q}" loading="lazy"><span class="qn">${q}</span>${chosen === q ? html`<span class="chosen-tag">chosen</span>` : ''}</button>`,
    )}
  </div>
</div>`;
}
