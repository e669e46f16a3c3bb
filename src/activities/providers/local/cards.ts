import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { escapeXml, FONT, svgDocument, textWidthEm, wrapText } from '../../media/svg-text.js';

/**
 * The local provider's pictures: storyboard-style cards drawn as SVG and rasterised by sharp.
 * Everything is derived from a seed string, so the same input always gives the same pixels
 * (takes and grids must be reproducible) while different sequences get different looks.
 */

export interface ShotCardOptions {
  width: number;
  height: number;
  prompt: string;
  /** 0-based position of the shot in its sequence. */
  shotIndex: number;
  shotCount: number;
  sequenceId: string;
  /** Path of a start frame image; it replaces the generated picture. */
  background?: string;
  seed: string;
}

export interface GridOptions {
  width: number;
  height: number;
  prompt: string;
  seed: string;
}

/** A card split in two so a camera move can animate the picture under a still caption. */
export interface ShotLayers {
  /** Opaque PNG, width×height. */
  background: Buffer;
  /** Transparent PNG, width×height: caption bar and shot label. */
  overlay: Buffer;
}

/** Layers are intermediates that ffmpeg decodes once; speed beats size. */
const FAST_PNG = { compressionLevel: 1 } as const;

export async function renderShotCard(options: ShotCardOptions): Promise<Buffer> {
  const { background, overlay } = await renderShotLayers(options);
  return sharp(background).composite([{ input: overlay }]).png().toBuffer();
}

export async function renderShotLayers(options: ShotCardOptions): Promise<ShotLayers> {
  const { width, height } = options;
  const [background, overlay] = await Promise.all([
    options.background ? coverImage(options.background, width, height) : shotScene(options),
    rasterise(svgDocument(width, height, shotLabel(options) + caption(width, height, options.prompt, 0.045))),
  ]);
  return { background, overlay };
}

/** Four visibly different takes on one prompt, numbered 1–4 left-to-right, top-to-bottom. */
export async function renderGrid({ width, height, prompt, seed }: GridOptions): Promise<Buffer> {
  const left = Math.floor(width / 2);
  const top = Math.floor(height / 2);
  const cells = [
    { x: 0, y: 0, w: left, h: top },
    { x: left, y: 0, w: width - left, h: top },
    { x: 0, y: top, w: left, h: height - top },
    { x: left, y: top, w: width - left, h: height - top },
  ];
  const quadrants = await Promise.all(
    cells.map((cell, i) => rasterise(quadrantSvg(cell.w, cell.h, prompt, seed, i + 1))),
  );
  return sharp({ create: { width, height, channels: 3, background: '#000' } })
    .composite(quadrants.map((input, i) => ({ input, left: cells[i]!.x, top: cells[i]!.y })))
    // Opaque, like the grids Gemini returns: compositing the panels would otherwise add an alpha channel.
    .removeAlpha()
    .png()
    .toBuffer();
}

function quadrantSvg(width: number, height: number, prompt: string, seed: string, quadrant: number): string {
  // A quarter turn of hue per quadrant guarantees four distinct palettes whatever the seed.
  const palette = paletteFor(seed, (quadrant - 1) * 90);
  const scene = sceneSvg(width, height, palette, random(`${seed}:q${quadrant}`));
  return svgDocument(width, height, scene + bigNumber(width, height, quadrant) + caption(width, height, prompt, 0.06, 2));
}

async function coverImage(path: string, width: number, height: number): Promise<Buffer> {
  return sharp(path)
    .autoOrient()
    .resize(width, height, { fit: 'cover' })
    .flatten({ background: '#000' })
    .png(FAST_PNG)
    .toBuffer();
}

function shotScene({ width, height, seed, shotIndex }: ShotCardOptions): Promise<Buffer> {
  // Shots of one sequence share a palette family but drift in hue so cuts read as cuts.
  const palette = paletteFor(seed, shotIndex * 28);
  return rasterise(svgDocument(width, height, sceneSvg(width, height, palette, random(`${seed}:shot${shotIndex}`))));
}

function rasterise(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png(FAST_PNG).toBuffer();
}

// ── Scene ────────────────────────────────────────────────────────────────────

interface Palette {
  skyTop: string;
  skyBottom: string;
  sun: string;
  farHills: string;
  nearHills: string;
}

function paletteFor(seed: string, hueShift: number): Palette {
  const hue = (random(seed)() * 360 + hueShift) % 360;
  return {
    skyTop: hsl(hue, 45, 14),
    skyBottom: hsl(hue + 35, 60, 52),
    sun: hsl(hue + 60, 90, 78),
    farHills: hsl(hue + 200, 28, 30),
    nearHills: hsl(hue + 210, 32, 14),
  };
}

/** A sky, a sun with a glow, two ridges of hills and a vignette: reads as "a place", costs nothing. */
function sceneSvg(width: number, height: number, palette: Palette, rand: () => number): string {
  const horizon = height * (0.55 + 0.15 * rand());
  const sunR = Math.min(width, height) * (0.06 + 0.07 * rand());
  const sunX = width * (0.15 + 0.7 * rand());
  const sunY = horizon - height * (0.12 + 0.2 * rand());
  return [
    `<defs>`,
    `<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${palette.skyTop}"/><stop offset="1" stop-color="${palette.skyBottom}"/></linearGradient>`,
    `<radialGradient id="glow"><stop offset="0" stop-color="${palette.sun}" stop-opacity="0.55"/><stop offset="1" stop-color="${palette.sun}" stop-opacity="0"/></radialGradient>`,
    `<radialGradient id="vignette" r="0.75"><stop offset="0.55" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.55"/></radialGradient>`,
    `</defs>`,
    `<rect width="${width}" height="${height}" fill="url(#sky)"/>`,
    `<circle cx="${sunX}" cy="${sunY}" r="${sunR * 3.2}" fill="url(#glow)"/>`,
    `<circle cx="${sunX}" cy="${sunY}" r="${sunR}" fill="${palette.sun}"/>`,
    ridge(width, height, horizon, height * 0.16, palette.farHills, rand),
    ridge(width, height, horizon + height * 0.1, height * 0.12, palette.nearHills, rand),
    `<rect width="${width}" height="${height}" fill="url(#vignette)"/>`,
  ].join('');
}

/** A smooth hill line through random peaks, filled down to the bottom edge. */
function ridge(width: number, height: number, baseY: number, amplitude: number, fill: string, rand: () => number): string {
  const peaks = 6;
  const step = width / peaks;
  const y = () => (baseY - amplitude * rand()).toFixed(1);
  let d = `M0 ${height} L0 ${y()}`;
  for (let i = 1; i <= peaks; i++) {
    d += ` Q${((i - 0.5) * step).toFixed(1)} ${y()} ${(i * step).toFixed(1)} ${y()}`;
  }
  return `<path d="${d} L${width} ${height} Z" fill="${fill}"/>`;
}

// ── Text ─────────────────────────────────────────────────────────────────────

/** The prompt over a dark translucent bar at the bottom, sized relative to the frame. */
function caption(width: number, height: number, prompt: string, sizeOfShortSide: number, maxLines?: number): string {
  const fontSize = Math.round(Math.min(width, height) * sizeOfShortSide);
  const lineHeight = Math.round(fontSize * 1.3);
  const padding = Math.round(fontSize * 0.8);
  const lines = wrapText(prompt, (width - 2 * padding) / fontSize, maxLines ?? Math.max(2, Math.min(6, Math.floor(height / lineHeight / 5))));
  const barHeight = lines.length * lineHeight + 2 * padding;
  const barTop = height - barHeight;
  const tspans = lines
    .map((line, i) => `<tspan x="${padding}" y="${barTop + padding + fontSize + i * lineHeight}">${escapeXml(line)}</tspan>`)
    .join('');
  return (
    `<rect x="0" y="${barTop}" width="${width}" height="${barHeight}" fill="#000" fill-opacity="0.6"/>` +
    `<text font-family="${FONT}" font-size="${fontSize}" fill="#fff">${tspans}</text>`
  );
}

/** "SEQ01 · shot 2/3" in a pill at the top left. */
function shotLabel({ width, height, sequenceId, shotIndex, shotCount }: ShotCardOptions): string {
  const text = `${sequenceId} · shot ${shotIndex + 1}/${shotCount}`;
  const fontSize = Math.round(Math.min(width, height) * 0.03);
  const margin = Math.round(fontSize * 0.9);
  const padX = Math.round(fontSize * 0.6);
  const pillHeight = Math.round(fontSize * 1.6);
  // Bold glyphs run about a tenth wider than the regular widths textWidthEm knows.
  const pillWidth = Math.round(textWidthEm(text) * 1.1 * fontSize + 2 * padX);
  return (
    `<rect x="${margin}" y="${margin}" width="${pillWidth}" height="${pillHeight}" rx="${pillHeight / 2}" fill="#000" fill-opacity="0.55"/>` +
    `<text x="${margin + padX}" y="${margin + pillHeight * 0.7}" font-family="${FONT}" font-weight="bold" font-size="${fontSize}" fill="#fff">${escapeXml(text)}</text>`
  );
}

function bigNumber(width: number, height: number, n: number): string {
  const fontSize = Math.round(Math.min(width, height) * 0.3);
  const margin = Math.round(fontSize * 0.25);
  return `<text x="${margin}" y="${margin + fontSize * 0.75}" font-family="${FONT}" font-weight="bold" font-size="${fontSize}" fill="#fff" fill-opacity="0.9" stroke="#000" stroke-opacity="0.45" stroke-width="${Math.max(1, fontSize * 0.03)}">${n}</text>`;
}

// ── Determinism helpers ─────────────────────────────────────────────────────

/** sfc32 seeded from sha256: a tiny, portable PRNG, so the pictures never depend on Math.random. */
function random(seed: string): () => number {
  const digest = createHash('sha256').update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function hsl(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100;
  const l = lightness / 100;
  const k = (n: number) => (n + hue / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return `#${[0, 8, 4].map((n) => channel(n).toString(16).padStart(2, '0')).join('')}`;
}
