import type { NoteInput, Stroke } from './note-schema.js';

/**
 * A reviewer's note on a take: pinned to one frame or an in/out range, optionally with a drawing.
 * Frames count from 0 at the take's first frame, at the take's own rate. Drawings are vectors in
 * the frame's own coordinates (0–1 across and down), so they scale with whatever shows the frame.
 */

/** The colours a drawing and its note can take; also valid OpenTimelineIO marker colours. */
export const NOTE_COLOURS = ['RED', 'YELLOW', 'GREEN', 'CYAN', 'MAGENTA', 'WHITE'] as const;
export type NoteColour = (typeof NOTE_COLOURS)[number];

/** How each colour is painted on a frame. */
export const NOTE_COLOUR_HEX: Record<NoteColour, string> = {
  RED: '#ff3b30',
  YELLOW: '#ffd60a',
  GREEN: '#30d158',
  CYAN: '#32d3f0',
  MAGENTA: '#ff2d95',
  WHITE: '#ffffff',
};

export const DRAWING_TOOLS = ['pen', 'arrow', 'rect'] as const;

/** What a client can say of a whole take through a review link; a director confirms it or not. */
export const VERDICTS = ['approved', 'changes_wanted'] as const;
export type Verdict = (typeof VERDICTS)[number];

export function verdictLabel(verdict: Verdict): string {
  return verdict === 'approved' ? 'approved' : 'changes wanted';
}

/** A note as kept on the take (take.json) and in the sequence's status. */
export type TakeNote = NoteInput & { id: string; by: string; at: string };

/** How many frames the note covers: 1 for a single frame. */
export function noteFrames(note: Pick<NoteInput, 'frame' | 'endFrame'>): number {
  return note.endFrame === undefined ? 1 : note.endFrame - note.frame + 1;
}

/** "frame 212" or "frames 212–230" */
export function noteWhere(note: Pick<NoteInput, 'frame' | 'endFrame'>): string {
  return note.endFrame === undefined || note.endFrame === note.frame ? `frame ${note.frame}` : `frames ${note.frame}–${note.endFrame}`;
}

/** The 1-based shot a frame falls in, from the shots' planned seconds. */
export function shotAtFrame(frame: number, shotSeconds: readonly number[], fps: number): number | undefined {
  let endSec = 0;
  for (const [i, seconds] of shotSeconds.entries()) {
    endSec += seconds;
    if (frame < Math.round(endSec * fps)) return i + 1;
  }
  return shotSeconds.length > 0 ? shotSeconds.length : undefined;
}

/** One line per note for a retake: "shot 3 · 00:00:08:20 (frame 212): his hand clips the door"; a client's approval asks no change. */
export function gatheredNotes(notes: readonly TakeNote[], timecodeOf: (frame: number) => string): string {
  return notes
    .filter((n) => n.verdict !== 'approved')
    .sort((a, b) => a.frame - b.frame)
    .map((n) => `${n.shot ? `shot ${n.shot} · ` : ''}${timecodeOf(n.frame)} (${noteWhere(n)}): ${n.text}`)
    .join('\n');
}

/**
 * A drawing as SVG shapes over a frame of `width`×`height`: the same strokes the console draws,
 * scaled from the frame's 0–1 coordinates. Lines thicken with the frame so they read at any size.
 */
export function drawingSvg(strokes: readonly Stroke[], width: number, height: number): string {
  const line = Math.max(2, Math.round(width / 180));
  const at = ([x, y]: readonly [number, number]) => `${(x * width).toFixed(1)},${(y * height).toFixed(1)}`;
  const paint = (colour: NoteColour) => `fill="none" stroke="${NOTE_COLOUR_HEX[colour]}" stroke-width="${line}" stroke-linecap="round" stroke-linejoin="round"`;
  return strokes
    .map((stroke) => {
      const [first, last] = [stroke.points[0]!, stroke.points.at(-1)!];
      if (stroke.tool === 'rect') {
        const [x0, x1] = [Math.min(first[0], last[0]) * width, Math.max(first[0], last[0]) * width];
        const [y0, y1] = [Math.min(first[1], last[1]) * height, Math.max(first[1], last[1]) * height];
        return `<rect x="${x0.toFixed(1)}" y="${y0.toFixed(1)}" width="${(x1 - x0).toFixed(1)}" height="${(y1 - y0).toFixed(1)}" ${paint(stroke.colour)}/>`;
      }
      if (stroke.tool === 'arrow') return `<polyline points="${at(first)} ${at(last)}" ${paint(stroke.colour)}/><polyline points="${arrowHead(first, last, width, height, line * 6)}" ${paint(stroke.colour)}/>`;
      return `<polyline points="${stroke.points.map(at).join(' ')}" ${paint(stroke.colour)}/>`;
    })
    .join('');
}

/** The two barbs of an arrow's head, 30° either side of its shaft, `size` pixels long. */
function arrowHead(tail: readonly [number, number], head: readonly [number, number], width: number, height: number, size: number): string {
  const [hx, hy] = [head[0] * width, head[1] * height];
  const angle = Math.atan2(hy - tail[1] * height, hx - tail[0] * width);
  const barb = (turn: number) => `${(hx - size * Math.cos(angle + turn)).toFixed(1)},${(hy - size * Math.sin(angle + turn)).toFixed(1)}`;
  return `${barb(Math.PI / 6)} ${hx.toFixed(1)},${hy.toFixed(1)} ${barb(-Math.PI / 6)}`;
}
