import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { clipName, cutFrames, cutTitle, type CutClip, type CutShot, type EditorialCut } from '../../domain/editorial/cut.js';
import { formatLength, frameRateLabel, framesToSeconds } from '../../domain/timecode.js';
import { ffmpegPath } from '../media/binaries.js';
import { runProcess } from '../media/run-process.js';
import { escapeXml, FONT, svgDocument, wrapText } from '../media/svg-text.js';
import { singleImagePdf } from './contact-sheet-pdf.js';

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
const COLUMNS = 4;
const GUTTER = 20;
const HEADER_HEIGHT = 118;
const CAPTION_HEIGHT = 96;
const THUMB_WIDTH = Math.floor((SHEET_WIDTH - GUTTER * (COLUMNS + 1)) / COLUMNS);
const INK = '#eceff4';
const MUTED = '#a3acb9';
const PAPER = '#1d2026';

/** One picture of the whole delivery (PNG, and the same as a PDF page): a header, then a frame from the middle of every shot with its facts. */
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
  await opaque.clone().png().toFile(request.outPath);
  const jpeg = await opaque.clone().jpeg({ quality: 88 }).toBuffer();
  await writeFile(request.pdfPath, singleImagePdf(jpeg, SHEET_WIDTH, height));
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
