import { html } from 'hono/html';
import type { TakeManifest } from '../../store/takes/take-manifest.js';
import type { TakeSummary } from '../../contract/sequence.js';
import { DRAWING_TOOLS, gatheredNotes, NOTE_COLOUR_HEX, NOTE_COLOURS, noteWhere, verdictLabel, type TakeNote } from '../../domain/take-notes.js';
import { framesToTimecode, parseFrameRate } from '../../domain/timecode.js';
import { sequencePath, takeName, type SequenceRef } from '../refs.js';
import { outcomeSlot, type Html } from './layout.js';
import { when } from './format.js';

/** The take's notes: from the workflow's status, which has them as soon as they are accepted. */
export function notesOf(take: TakeSummary): TakeNote[] {
  return [...(take.notes ?? [])].sort((a, b) => a.frame - b.frame || a.at.localeCompare(b.at));
}

/** Timecode of a frame of this take, counted from 00:00:00:00 at its first frame. */
export function takeTimecode(manifest: TakeManifest | undefined): (frame: number) => string {
  const rate = parseFrameRate(manifest?.video?.frameRate) ?? { num: 24, den: 1 };
  return (frame) => framesToTimecode(frame, rate);
}

/** What a retake form starts from: the take's notes, a line each, for the director to edit. */
export function retakeDraft(take: TakeSummary, manifest: TakeManifest | undefined): string {
  return gatheredNotes(notesOf(take), takeTimecode(manifest));
}

/**
 * The notes beside a player: a list (a click seeks to the note's frame and shows its drawing) and
 * the form that pins a new one to the paused frame or the marked in/out range, with a drawing.
 */
export function notesPanel(ref: SequenceRef, take: TakeSummary, manifest: TakeManifest | undefined, playerId: string, action = `${sequencePath(ref)}/decide`): Html {
  const notes = notesOf(take);
  const timecode = takeTimecode(manifest);
  const id = `${playerId}-${take.take}`;
  return html`<div class="notes" data-take="${take.take}" data-sequence="${ref.sequenceId}" data-notes-for="${playerId}">
  <div id="notes-${id}" data-live>
    <h3>Notes on ${takeName(take.take)} <span class="count">${notes.length}</span></h3>
    <ol class="note-list">${notes.map(
      (n) => html`<li><button type="button" class="note-item" data-note-id="${n.id}" data-note-frame="${n.frame}" data-note-end="${n.endFrame ?? ''}" data-note-drawing="${JSON.stringify(n.drawing ?? [])}" data-player="${playerId}">
        <span class="swatch" data-colour="${n.colour}"></span><span class="tc">${timecode(n.frame)}</span> <span class="where">${noteWhere(n)}${n.shot !== undefined ? ` · shot ${n.shot}` : ''}${n.drawing?.length ? ' · drawing' : ''}</span>
        <span class="text">${n.verdict ? html`<span class="tag verdict-${n.verdict}">client: ${verdictLabel(n.verdict)}</span> ` : ''}${n.text}</span><span class="sub">${n.by} · ${when(n.at)}</span>
      </button></li>`,
    )}</ol>
    ${notes.length === 0 ? html`<p class="hint">No notes yet: pause on a frame and press <kbd>N</kbd>.</p>` : ''}
  </div>
  <form class="note-form" id="note-form-${id}" data-action="${action}" data-outcome-target="note-outcome-${id}" data-note-form data-player="${playerId}">
    <input type="hidden" name="kind" value="note"><input type="hidden" name="take" value="${take.take}">
    <input type="hidden" name="frame" value=""><input type="hidden" name="endFrame" value=""><input type="hidden" name="drawing" value="">
    <div class="note-where"><span data-note-where>at the paused frame</span>
      <button type="button" data-note-cmd="in" title="mark in (I)">in <kbd>I</kbd></button><button type="button" data-note-cmd="out" title="mark out (O)">out <kbd>O</kbd></button><button type="button" data-note-cmd="clear-range" title="one frame again">×</button></div>
    <div class="draw-tools" role="toolbar" aria-label="drawing">
      ${DRAWING_TOOLS.map((tool) => html`<button type="button" data-tool="${tool}" aria-pressed="false" title="draw: ${tool}">${tool}</button>`)}
      ${NOTE_COLOURS.map((c, i) => html`<button type="button" class="colour" data-colour="${c}" data-hex="${NOTE_COLOUR_HEX[c]}" aria-pressed="${i === 0}" title="${c.toLowerCase()}"></button>`)}
      <button type="button" data-note-cmd="undo" title="undo the last stroke">undo</button>
    </div>
    <input type="hidden" name="colour" value="${NOTE_COLOURS[0]}">
    <label>note <textarea name="text" rows="2" maxlength="2000" required placeholder="what is wrong here, and what should change"></textarea></label>
    <button type="submit">Add note <kbd>N</kbd></button>
  </form>
  ${outcomeSlot(`note-outcome-${id}`)}
</div>`;
}
