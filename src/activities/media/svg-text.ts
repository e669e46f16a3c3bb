/**
 * Text drawn into SVG for sharp (librsvg) to rasterise: librsvg cannot measure text, so lines are
 * wrapped by estimated glyph widths of the one font we draw with.
 */
export const FONT = 'DejaVu Sans';

export function svgDocument(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;
}

/** Greedy word wrap by estimated width; an over-long prompt ends in an ellipsis rather than running off the card. */
export function wrapText(text: string, maxEm: number, maxLines: number): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean).flatMap((word) => splitToWidth(word, maxEm));
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && textWidthEm(`${last} ${word}`) <= maxEm) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${fitPrefix(kept[maxLines - 1]!, maxEm - textWidthEm('…')).trimEnd()}…`;
  return kept;
}

/** A word wider than a whole line (a URL, a run of symbols) is broken wherever it must be. */
function splitToWidth(word: string, maxEm: number): string[] {
  const pieces: string[] = [];
  for (let rest = word; rest.length > 0; ) {
    const piece = fitPrefix(rest, maxEm) || rest.slice(0, 1);
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  return pieces;
}

function fitPrefix(text: string, maxEm: number): string {
  let end = 0;
  while (end < text.length && textWidthEm(text.slice(0, end + 1)) <= maxEm) end++;
  return text.slice(0, end);
}

/**
 * Width of a line of DejaVu Sans in ems, from coarse classes of its advance widths. Slightly
 * generous, so a line of capitals cannot run off the card (librsvg cannot measure for us).
 */
export function textWidthEm(text: string): number {
  let em = 0;
  for (const ch of text) em += charWidthEm(ch);
  return em;
}

function charWidthEm(ch: string): number {
  if (/[ilj.,:;'!|I J]/.test(ch)) return 0.32;
  if (/[frt()[\]\-"]/.test(ch)) return 0.42;
  if (/[mwMW@%]/.test(ch)) return 1.0;
  if (/[A-Z]/.test(ch)) return 0.78;
  // Wide scripts (CJK and friends) fall back to fonts with square glyphs.
  if (ch.codePointAt(0)! >= 0x2e80) return 1.0;
  return 0.64;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A line of text at a baseline, in the picture's pixels: drawn into SVG, and laid as the PDF's text layer. */
export interface TextRun {
  x: number;
  y: number;
  text: string;
  size: number;
  fill: string;
  bold: boolean;
}

export function svgTextRuns(runs: readonly TextRun[]): string {
  return runs
    .map(({ x, y, text, size, fill, bold }) => `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}"${bold ? ' font-weight="bold"' : ''} fill="${fill}">${escapeXml(text)}</text>`)
    .join('');
}
