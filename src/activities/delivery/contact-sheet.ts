import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { clipName, cutFrames, cutTitle, recordOffsets, recordStartFrame, type CutClip, type CutNote, type CutShot, type EditorialCut } from '../../domain/editorial/cut.js';
import { drawingSvg, NOTE_COLOUR_HEX, noteWhere } from '../../domain/take-notes.js';
import { formatLength, frameRateLabel, framesToSeconds, framesToTimecode } from '../../domain/timecode.js';
import { ffmpegPath } from '../media/binaries.js';
import { runProcess } from '../media/run-process.js';
import { svgDocument, svgTextRuns, textWidthEm, wrapText, type TextRun } from '../media/svg-text.js';
import { imagePagesPdf, type SheetPage } from './contact-sheet-pdf.js';

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
/** Kling makes at most six shots a take; a row has room for four at least. */
const MIN_COLUMNS = 4;
const GUTTER = 20;
const HEADER_HEIGHT = 118;
const ROW_LABEL_HEIGHT = 58;
const CAPTION_HEIGHT = 96;
const INK = '#eceff4';
const MUTED = '#a3acb9';
const PAPER = '#1d2026';

/**
 * A page holds at most this many takes (or notes): a sheet for a long episode stays a set of pages a
 * viewer, a printer and JPEG (at most 65,535 pixels a side) all take, instead of one endless strip.
 */
const TAKES_PER_PAGE = 10;
const NOTES_PER_PAGE = 12;

interface SheetLayout {
  columns: number;
  thumbWidth: number;
  thumbHeight: number;
  rowHeight: number;
}

/**
 * The delivery's contact sheet: pages with a header, then a row per take — its reel, record in and
 * out and length — with a frame from the middle of each of its shots. The first page is the PNG
 * (`…_contact_sheet.png`; a long episode's further pages are `…_contact_sheet_p2.png` and on); the
 * PDF has every page, then, when reviewers left notes, pages of each note's frame with its drawing,
 * where it is and what it says. The PDF carries every word as text, so it can be searched.
 */
export async function renderContactSheet(request: ContactSheetRequest): Promise<void> {
  const { cut } = request;
  const columns = Math.max(MIN_COLUMNS, ...cut.clips.map((clip) => clip.shots.length));
  const thumbWidth = Math.floor((SHEET_WIDTH - GUTTER * (columns + 1)) / columns);
  const thumbHeight = Math.round((thumbWidth * cut.height) / cut.width);
  const layout = { columns, thumbWidth, thumbHeight, rowHeight: ROW_LABEL_HEIGHT + thumbHeight + CAPTION_HEIGHT + GUTTER };
  const takePages = pagesOf(cut.clips.map((_, index) => index), TAKES_PER_PAGE);
  const pages: SheetPage[] = [];
  for (const [i, rows] of takePages.entries()) {
    const { sheet, page } = await renderTakesPage(request, layout, rows, pageLabel(i, takePages.length));
    await sheet.withMetadata({ density: SHEET_DPI }).png().toFile(i === 0 ? request.outPath : request.outPath.replace(/\.png$/, `_p${i + 1}.png`));
    pages.push(page);
  }
  pages.push(...(await renderNotesPages(request)));
  await writeFile(request.pdfPath, imagePagesPdf(pages, documentInfo(request)));
}

/** One page of take rows (`rows` are indices into the cut), as an opaque image and as a PDF page. */
async function renderTakesPage(request: ContactSheetRequest, layout: SheetLayout, rows: number[], label: string): Promise<{ sheet: Sharp; page: SheetPage }> {
  const { cut } = request;
  const { thumbWidth, thumbHeight, rowHeight } = layout;
  const offsets = recordOffsets(cut);
  const height = HEADER_HEIGHT + GUTTER + rows.length * rowHeight;
  const thumbnails = [];
  const runs = header(request, label);
  for (const [slot, row] of rows.entries()) {
    const clip = cut.clips[row]!;
    const top = HEADER_HEIGHT + GUTTER + slot * rowHeight;
    runs.push(...rowLabel(cut, clip, offsets[row]!, top));
    for (const [column, shot] of clip.shots.entries()) {
      const left = GUTTER + column * (thumbWidth + GUTTER);
      const frameTop = top + ROW_LABEL_HEIGHT;
      thumbnails.push({ input: await middleFrame(request, clip, shot, `${row}-${column}`, thumbWidth, thumbHeight), left, top: frameTop });
      runs.push(...caption(cut, clip, shot, offsets[row]!, { left, top: frameTop + thumbHeight }, thumbWidth));
    }
  }
  const rules = rows.map((_, slot) => `<rect x="${GUTTER}" y="${HEADER_HEIGHT + GUTTER + slot * rowHeight - GUTTER / 2}" width="${SHEET_WIDTH - 2 * GUTTER}" height="1" fill="${MUTED}" fill-opacity="0.4"/>`);
  const sheet = await composeSheet(height, thumbnails, rules.join(''), runs);
  return { sheet, page: { jpeg: await sheet.clone().jpeg({ quality: 88 }).toBuffer(), width: SHEET_WIDTH, height, text: runs } };
}

/** Pictures and text laid on the dark paper, as an opaque image (compositing text adds an alpha channel the sheet has no use for). */
async function composeSheet(height: number, layers: OverlayOptions[], shapes: string, runs: TextRun[]): Promise<Sharp> {
  const composed = await sharp({ create: { width: SHEET_WIDTH, height, channels: 3, background: PAPER } })
    .composite([...layers, { input: Buffer.from(svgDocument(SHEET_WIDTH, height, shapes + svgTextRuns(runs))), left: 0, top: 0 }])
    .png({ compressionLevel: 1 })
    .toBuffer();
  return sharp(composed).removeAlpha();
}

function pagesOf<T>(items: T[], perPage: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += perPage) pages.push(items.slice(i, i + perPage));
  return pages.length ? pages : [[]];
}

/** "page 2 of 20", or nothing when everything fits on one. */
function pageLabel(index: number, count: number): string {
  return count > 1 ? `page ${index + 1} of ${count}` : '';
}

/** The PDF's document properties: what it is, and every take's id to search by. */
function documentInfo({ cut }: ContactSheetRequest) {
  return {
    title: `${cut.projectId} · ${cutTitle(cut)} · contact sheet`,
    subject: `${cut.clips.length} takes, ${formatLength(framesToSeconds(cutFrames(cut), cut.rate))}, ${cut.width}×${cut.height}, ${frameRateLabel(cut.rate)} fps`,
    keywords: [cut.projectId, cut.episode, ...cut.clips.flatMap((clip) => [clipName(clip), clip.reel])].join(', '),
    creator: 'Recoil Pipeline',
    createdAt: cut.createdAt,
  };
}

const NOTE_FRAME_WIDTH = 560;
const NOTE_TEXT_LINES = 6;

/** The notes pages: a row per note, its frame (drawing over it) on the left, the note on the right. */
async function renderNotesPages(request: ContactSheetRequest): Promise<SheetPage[]> {
  const { cut } = request;
  const offsets = recordOffsets(cut);
  const notes = cut.clips.flatMap((clip, i) => clip.notes.map((note) => ({ clip, note, recordStart: offsets[i]! })));
  if (notes.length === 0) return [];
  const frameHeight = Math.round((NOTE_FRAME_WIDTH * cut.height) / cut.width);
  const rowHeight = Math.max(frameHeight, 60 + NOTE_TEXT_LINES * 24) + GUTTER;
  const notePages = pagesOf(notes.map((_, index) => index), NOTES_PER_PAGE);
  const pages: SheetPage[] = [];
  for (const [p, rows] of notePages.entries()) {
    const height = HEADER_HEIGHT + GUTTER + rows.length * rowHeight;
    const layers = [];
    const label = pageLabel(p, notePages.length);
    const runs: TextRun[] = [
      run(GUTTER, 52, `${cut.projectId} · ${cutTitle(cut)} · notes`, 34, INK, true),
      run(GUTTER, 90, `${notes.length} note${notes.length === 1 ? '' : 's'} from review, in cut order${label ? `   ·   ${label}` : ''}`, 19, MUTED),
    ];
    let swatches = '';
    for (const [slot, i] of rows.entries()) {
      const { clip, note, recordStart } = notes[i]!;
      const top = HEADER_HEIGHT + GUTTER + slot * rowHeight;
      const left = GUTTER * 2 + NOTE_FRAME_WIDTH;
      layers.push({ input: await noteFrame(request, clip, note, i, frameHeight), left: GUTTER, top });
      swatches += `<rect x="${left}" y="${top + 4}" width="14" height="14" fill="${NOTE_COLOUR_HEX[note.colour]}"/>`;
      runs.push(...noteCaption(cut, clip, note, recordStart, { left, top }));
    }
    const sheet = await composeSheet(height, layers, swatches, runs);
    pages.push({ jpeg: await sheet.jpeg({ quality: 88 }).toBuffer(), width: SHEET_WIDTH, height, text: runs });
  }
  return pages;
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

function noteCaption(cut: EditorialCut, clip: CutClip, note: CutNote, recordStart: number, { left, top }: { left: number; top: number }): TextRun[] {
  const record = recordTimecode(cut, recordStart + note.startFrame);
  const where = `${clipName(clip)}${note.shot !== undefined ? ` · shot ${note.shot}` : ''} · ${noteWhere({ frame: note.startFrame, ...(note.frames > 1 ? { endFrame: note.startFrame + note.frames - 1 } : {}) })}`;
  const textWidth = SHEET_WIDTH - left - GUTTER;
  return [
    run(left + 24, top + 18, `${record}   ${where}`, 19, INK, true),
    run(left, top + 46, `${note.by} · ${note.at.slice(0, 16).replace('T', ' ')} · reel ${clip.reel}`, 15, MUTED),
    ...wrapText(note.text, textWidth / 17, NOTE_TEXT_LINES).map((t, i) => run(left, top + 78 + i * 24, t, 17, INK)),
  ];
}

async function middleFrame(request: ContactSheetRequest, clip: CutClip, shot: CutShot, name: string, width: number, height: number): Promise<Buffer> {
  const middle = shot.startFrame + Math.floor(shot.frames / 2);
  const seconds = framesToSeconds(middle, request.cut.rate);
  const out = join(request.workDir, `shot-${name}.png`);
  await runProcess(ffmpegPath(), [
    '-hide_banner', '-v', 'error', '-y',
    '-ss', seconds.toFixed(6), '-i', request.videoOf(clip),
    '-frames:v', '1', '-vf', `scale=${width}:${height}`, out,
  ]);
  return sharp(out).toBuffer();
}

function header({ cut, totalSpendUsd }: ContactSheetRequest, pageLabel: string): TextRun[] {
  const seconds = framesToSeconds(cutFrames(cut), cut.rate);
  const facts = [
    `length ${formatLength(seconds)}`,
    `${cut.width}×${cut.height}`,
    `${frameRateLabel(cut.rate)} fps`,
    `${cut.clips.length} sequences`,
    `record ${recordTimecode(cut, 0)}–${recordTimecode(cut, cutFrames(cut))}`,
    cut.createdAt.slice(0, 10),
    `total spend $${totalSpendUsd.toFixed(2)}`,
    ...(pageLabel ? [pageLabel] : []),
  ].join('   ·   ');
  return [run(GUTTER, 52, `${cut.projectId} · ${cutTitle(cut)}`, 34, INK, true), run(GUTTER, 90, facts, 19, MUTED)];
}

/** The take's row: which take, its reel, where it sits in the cut (record in/out as the EDL has them), how long, what it cost. */
function rowLabel(cut: EditorialCut, clip: CutClip, recordStart: number, top: number): TextRun[] {
  const cost = clip.provenance.actualCostUsd ?? clip.provenance.estimatedCostUsd;
  const verdict = clip.provenance.critics ? (clip.provenance.critics.ok ? 'critics passed' : 'critics flagged') : 'critics not run';
  const facts = [
    `reel ${clip.reel}`,
    `rec in ${recordTimecode(cut, recordStart)}`,
    `out ${recordTimecode(cut, recordStart + clip.frames)}`,
    `${framesToSeconds(clip.frames, cut.rate).toFixed(1)} s (${clip.frames} fr)`,
    `take $${cost.toFixed(2)}`,
    verdict,
    ...(clip.notes.length ? [`${clip.notes.length} note${clip.notes.length === 1 ? '' : 's'}`] : []),
  ].join('   ·   ');
  const name = clipName(clip);
  return [run(GUTTER, top + 24, name, 21, INK, true), run(GUTTER + Math.ceil(textWidthEm(name) * 21) + GUTTER, top + 24, facts, 17, MUTED)];
}

function caption(cut: EditorialCut, clip: CutClip, shot: CutShot, recordStart: number, { left, top }: { left: number; top: number }, width: number): TextRun[] {
  const fontSize = 14;
  const facts = `${recordTimecode(cut, recordStart + shot.startFrame)} · ${framesToSeconds(shot.frames, cut.rate).toFixed(1)} s`;
  return [
    run(left, top + 24, `shot ${shot.number}/${clip.shots.length}`, 17, INK, true),
    run(left + 110, top + 24, facts, fontSize, MUTED),
    ...wrapText(shot.prompt, width / fontSize, 3).map((text, i) => run(left, top + 48 + i * 18, text, fontSize, INK)),
  ];
}

function recordTimecode(cut: EditorialCut, recordFrame: number): string {
  return framesToTimecode(recordStartFrame(cut) + recordFrame, cut.rate);
}

function run(x: number, y: number, text: string, size: number, fill: string, bold = false): TextRun {
  return { x, y, text, size, fill, bold };
}
