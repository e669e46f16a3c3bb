import { html } from 'hono/html';
import type { BoardRow } from '../../review/read-board.js';
import type { SubmissionQuestion } from '../../contract/sequence.js';
import { sequencePath, takeName, type SequenceRef } from '../refs.js';
import { outcomeSlot, type Html } from './layout.js';

/** The question a sequence asks about a cut-off submission, from its status or its card. */
export function submissionQuestionOf(row: BoardRow): SubmissionQuestion | undefined {
  // The live status, when the workflow answered; its card (memo) can lag a moment behind an answer.
  return row.status ? row.status.submissionQuestion : row.card?.submissionQuestion;
}

/**
 * A take whose submission to fal was cut off, which fal's records do not settle: what happened and
 * the three answers, each a form posted to the sequence's decide route (the same Update as
 * `recoil settle`). `where` keeps the ids apart when a page shows it twice.
 */
export function settlePanel(ref: SequenceRef, question: SubmissionQuestion, where: 'card' | 'dailies'): Html {
  const id = `settle-${where}-${ref.sequenceId}`;
  const action = `${sequencePath(ref)}/decide`;
  const hidden = (what: string) => html`<input type="hidden" name="kind" value="settleSubmission"><input type="hidden" name="take" value="${question.take}"><input type="hidden" name="action" value="${what}">`;
  return html`<section class="settle" id="${id}" data-settle="${ref.sequenceId}" data-take="${question.take}">
  <h3>Take ${question.take} (${takeName(question.take)}) was cut off while being sent to fal</h3>
  <p class="question">${question.reason}</p>
  <p class="hint">fal may or may not have run it. If fal's dashboard shows its job, adopt that request id; otherwise submit it again (fal may bill twice) or give it up (it counts at its estimate).</p>
  <form class="settle-adopt" id="${id}-adopt" data-action="${action}" data-outcome-target="${id}-outcome">
    ${hidden('adopt')}
    <label>fal request id <input name="providerRequestId" required maxlength="200" autocomplete="off" spellcheck="false" placeholder="from fal's dashboard"></label>
    <button type="submit">Adopt request id</button>
  </form>
  <div class="settle-other">
    <form id="${id}-resubmit" data-action="${action}" data-outcome-target="${id}-outcome">${hidden('resubmit')}<button type="submit">Submit again</button></form>
    <form id="${id}-give-up" data-action="${action}" data-outcome-target="${id}-outcome">${hidden('give_up')}<button type="submit" class="danger">Give up</button></form>
  </div>
  ${outcomeSlot(`${id}-outcome`)}
</section>`;
}
