import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { clipName, cutFrames, cutTitle, recordOffsets, type CutClip, type CutNote, type CutShot, type EditorialCut } from '../../domain/editorial/cut.js';
import { drawingSvg, NOTE_COLOUR_HEX, noteWhere } from '../../domain/take-notes.js';
import { formatLength, frameRateLabel, framesToSeconds, framesToTimecode, hoursToFrames } from '../../domain/timecode.js';
import { ffmpegPath } from '../media/binaries.js';
import { runProcess } from '../media/run-process.js';
import { escapeXml, FONT, svgDocument, wrapText } from '../media/svg-text.js';
import { imagePagesPdf, type SheetImage } from './contact-sheet-pdf.js';

export interface ContactSheetRequest {
  cut: EditorialCut;
  /** The clip's video on disk (its mediaPath resolved). */
  videoOf: (clip: CutClip) => string;
  totalSpendUsd: number;
  /** Scratch space for the extracted frames. */
  workDir: string;
  outPath: string;
  pdfPath: string;
}

const SHEET_WIDTH = 1600;
/** The PNG's resolution: printed at 100 %, the sheet spans an A4 landscape page, as the PDF does. */
const SHEET_DPI = Math.round(SHEET_WIDTH / (297 / 25.4));
const COLUMNS = 4;
const GUTTER = 20;
const HEADER_HEIGHT = 118;
const CAPTION_HEIGHT = 96;
const THUMB_WIDTH = Math.floor((SHEET_WIDTH - GUTTER * (COLUMNS + 1)) / COLUMNS);
const INK = '#eceff4';
const MUTED = '#a3acb9';
const PAPER = '#1d2026';

/**
 * One picture of the whole delivery (PNG, and the same as the PDF's first page): a header, then a
 * frame from the middle of every shot with its facts. When reviewers left notes, the PDF gets a
 * second page: each note's frame with its drawing, where it is and what it says.
 */
export async function renderContactSheet(request: ContactSheetRequest): Promise<void> {
  const { cut } = request;
  const thumbHeight = Math.round((THUMB_WIDTH * cut.height) / cut.width);
  const cells = cut.clips.flatMap((clip) => clip.shots.map((shot) => ({ clip, shot })));
  const rows = Math.max(1, Math.ceil(cells.length / COLUMNS));
  const cellHeight = thumbHeight + CAPTION_HEIGHT;
  const height = HEADER_HEIGHT + rows * (cellHeight + GUTTER) + GUTTER;

  const thumbnails = [];
  for (const [i, { clip, shot }] of cells.entries()) {
    const frame = await middleFrame(request, clip, shot, i, thumbHeight);
    const { left, top } = cellOrigin(i, cellHeight);
    thumbnails.push({ input: frame, left, top });
  }
  const text = header(request) + cells.map(({ clip, shot }, i) => caption(cut, clip, shot, cellOrigin(i, cellHeight), thumbHeight)).join('');
  const composed = await sharp({ create: { width: SHEET_WIDTH, height, channels: 3, background: PAPER } })
    .composite([...thumbnails, { input: Buffer.from(svgDocument(SHEET_WIDTH, height, text)), left: 0, top: 0 }])
    .png({ compressionLevel: 1 })
    .toBuffer();
  // Compositing the text adds an alpha channel the opaque sheet has no use for.
  const opaque = sharp(composed).removeAlpha();
  await opaque.clone().withMetadata({ density: SHEET_DPI }).png().toFile(request.outPath);
  const pages: SheetImage[] = [{ jpeg: await opaque.clone().jpeg({ quality: 88 }).toBuffer(), width: SHEET_WIDTH, height }];
  const notesPage = await renderNotesPage(request);
  if (notesPage) pages.push(notesPage);
  await writeFile(request.pdfPath, imagePagesPdf(pages));
}

const NOTE_FRAME_WIDTH = 560;
const NOTE_TEXT_LINES = 6;

/** The notes page: a row per note, its frame (drawing over it) on the left, the note on the right. */
async function renderNotesPage(request: ContactSheetRequest): Promise<SheetImage | undefined> {
  const { cut } = request;
  const offsets = recordOffsets(cut);
  const notes = cut.clips.flatMap((clip, i) => clip.notes.map((note) => ({ clip, note, recordStart: offsets[i]! })));
  if (notes.length === 0) return undefined;
  const frameHeight = Math.round((NOTE_FRAME_WIDTH * cut.height) / cut.width);
  const rowHeight = Math.max(frameHeight, 60 + NOTE_TEXT_LINES * 24) + GUTTER;
  const height = HEADER_HEIGHT + GUTTER + notes.length * rowHeight;
  const layers = [];
  let text = line(GUTTER, 52, `${cut.projectId} · ${cutTitle(cut)} · notes`, 34, INK, true) + line(GUTTER, 90, `${notes.length} note${notes.length === 1 ? '' : 's'} from review, in cut order`, 19, MUTED);
  for (const [i, { clip, note, recordStart }] of notes.entries()) {
    const top = HEADER_HEIGHT + GUTTER + i * rowHeight;
    layers.push({ input: await noteFrame(request, clip, note, i, frameHeight), left: GUTTER, top });
    text += noteCaption(cut, clip, note, recordStart, { left: GUTTER * 2 + NOTE_FRAME_WIDTH, top });
  }
  const composed = await sharp({ create: { width: SHEET_WIDTH, height, channels: 3, background: PAPER } })
    .composite([...layers, { input: Buffer.from(svgDocument(SHEET_WIDTH, height, text)), left: 0, top: 0 }])
    .png({ compressionLevel: 1 })
    .toBuffer();
  return { jpeg: await sharp(composed).removeAlpha().jpeg({ quality: 88 }).toBuffer(), width: SHEET_WIDTH, height };
}

async function noteFrame(request: ContactSheetRequest, clip: CutClip, note: CutNote, index: number, frameHeight: number): Promise<Buffer> {
  const out = join(request.workDir, `note-${index}.png`);
  await runProcess(ffmpegPath(), [
    '-hide_banner', '-v', 'error', '-y',
    '-i', request.videoOf(clip),
    '-vf', `select=eq(n\\,${note.startFrame}),scale=${NOTE_FRAME_WIDTH}:${frameHeight}`, '-frames:v', '1', out,
  ]);
  const drawing = note.drawing?.length ? [{ input: Buffer.from(svgDocument(NOTE_FRAME_WIDTH, frameHeight, drawingSvg(note.drawing, NOTE_FRAME_WIDTH, frameHeight))), left: 0, top: 0 }] : [];
  return sharp(out).composite(drawing).png().toBuffer();
}

function noteCaption(cut: EditorialCut, clip: CutClip, note: CutNote, recordStart: number, { left, top }: { left: number; top: number }): string {
  const record = framesToTimecode(hoursToFrames(1, cut.rate) + recordStart + note.startFrame, cut.rate);
  const where = `${clipName(clip)}${note.shot !== undefined ? ` · shot ${note.shot}` : ''} · ${noteWhere({ frame: note.startFrame, ...(note.frames > 1 ? { endFrame: note.startFrame + note.frames - 1 } : {}) })}`;
  const textWidth = SHEET_WIDTH - left - GUTTER;
  return (
    `<rect x="${left}" y="${top + 4}" width="14" height="14" fill="${NOTE_COLOUR_HEX[note.colour]}"/>` +
    line(left + 24, top + 18, `${record}   ${where}`, 19, INK, true) +
    line(left, top + 46, `${note.by} · ${note.at.slice(0, 16).replace('T', ' ')} · reel ${clip.reel}`, 15, MUTED) +
    wrapText(note.text, textWidth / 17, NOTE_TEXT_LINES).map((t, i) => line(left, top + 78 + i * 24, t, 17, INK)).join('')
  );
}

function cellOrigin(index: number, cellHeight: number): { left: number; top: number } {
  return { left: GUTTER + (index % COLUMNS) * (THUMB_WIDTH + GUTTER), top: HEADER_HEIGHT + GUTTER + Math.floor(index / COLUMNS) * (cellHeight + GUTTER) };
}

async function middleFrame(request: ContactSheetRequest, clip: CutClip, shot: CutShot, index: number, thumbHeight: number): Promise<Buffer> {
  const middle = shot.startFrame + Math.floor(shot.frames / 2);
  const seconds = framesToSeconds(middle, request.cut.rate);
  const out = join(request.workDir, `shot-${index}.png`);
  await runProcess(ffmpegPath(), [
    '-hide_banner', '-v', 'error', '-y',
    '-ss', seconds.toFixed(6), '-i', request.videoOf(clip),
    '-frames:v', '1', '-vf', `scale=${THUMB_WIDTH}:${thumbHeight}`, out,
  ]);
  return sharp(out).toBuffer();
}

function header({ cut, totalSpendUsd }: ContactSheetRequest): string {
  const seconds = framesToSeconds(cutFrames(cut), cut.rate);
  const facts = [
    `length ${formatLength(seconds)}`,
    `${cut.width}×${cut.height}`,
    `${frameRateLabel(cut.rate)} fps`,
    `${cut.clips.length} sequences`,
    cut.createdAt.slice(0, 10),
    `total spend $${totalSpendUsd.toFixed(2)}`,
  ].join('   ·   ');
  return (
    line(GUTTER, 52, `${cut.projectId} · ${cutTitle(cut)}`, 34, INK, true) +
    line(GUTTER, 90, facts, 19, MUTED) +
    `<rect x="${GUTTER}" y="${HEADER_HEIGHT - 8}" width="${SHEET_WIDTH - 2 * GUTTER}" height="1" fill="${MUTED}" fill-opacity="0.4"/>`
  );
}

function caption(cut: EditorialCut, clip: CutClip, shot: CutShot, { left, top }: { left: number; top: number }, thumbHeight: number): string {
  const y = top + thumbHeight;
  const cost = clip.provenance.actualCostUsd ?? clip.provenance.estimatedCostUsd;
  const verdict = clip.provenance.critics ? (clip.provenance.critics.ok ? 'critics passed' : 'critics flagged') : 'critics not run';
  const facts = `${framesToSeconds(shot.frames, cut.rate).toFixed(1)} s · take $${cost.toFixed(2)} · ${verdict}`;
  const fontSize = 14;
  const prompt = wrapText(shot.prompt, THUMB_WIDTH / fontSize, 2);
  return (
    line(left, y + 24, `${clipName(clip)} · shot ${shot.number}/${clip.shots.length}`, 17, INK, true) +
    line(left, y + 46, facts, fontSize, MUTED) +
    prompt.map((text, i) => line(left, y + 68 + i * 18, text, fontSize, INK)).join('')
  );
}

function line(x: number, y: number, text: string, size: number, fill: string, bold = false): string {
  return `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}"${bold ? ' font-weight="bold"' : ''} fill="${fill}">${escapeXml(text)}</text>`;
}
