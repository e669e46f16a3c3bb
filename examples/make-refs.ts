/**
 * Draws the reference images of the bundled Driver Beware project (examples/driver-beware/refs/).
 * Simple flat illustrations, one per element view, distinct enough to tell apart at a glance in a
 * grid or a provider's element list. Run with `npx tsx examples/make-refs.ts`; the PNGs are committed.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const REFS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'driver-beware', 'refs');

const NIGHT = '#141b2d';
const JACKET = '#f5c518';
const VAN = '#f2b705';
const SKIN = '#c98e6b';
const HAIR = '#111111';
const SODIUM = '#ff9a3c';

const PORTRAIT = { width: 384, height: 512 };
const WIDE = { width: 512, height: 288 };
const SQUARE = { width: 384, height: 384 };

interface Illustration {
  size: { width: number; height: number };
  body: string;
}

/** Diagonal rain over the whole frame; the same seed gives the same streaks on every run. */
function rain(width: number, height: number, count: number, seed: number): string {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return Array.from({ length: count }, () => {
    const x = next() * width;
    const y = next() * height;
    return `<line x1="${x.toFixed(1)}" y1="${y.toFixed(1)}" x2="${(x - 6).toFixed(1)}" y2="${(y + 22).toFixed(1)}"/>`;
  }).join('');
}

function rainLayer(width: number, height: number, count: number, seed: number): string {
  return `<g stroke="#9fb3d1" stroke-width="1.4" opacity="0.45">${rain(width, height, count, seed)}</g>`;
}

/** Maya facing the camera: short black hair, yellow rain jacket with a reflective band. */
const mayaFront: Illustration = {
  size: PORTRAIT,
  body: `
    <rect width="384" height="512" fill="${NIGHT}"/>
    <path d="M92 512 L110 300 Q192 250 274 300 L292 512 Z" fill="${JACKET}"/>
    <path d="M132 300 Q192 236 252 300 L240 318 Q192 280 144 318 Z" fill="#d9a800"/>
    <rect x="100" y="400" width="184" height="16" fill="#e8e8e8" opacity="0.85"/>
    <line x1="192" y1="318" x2="192" y2="512" stroke="#7a6000" stroke-width="4"/>
    <rect x="172" y="236" width="40" height="44" fill="${SKIN}"/>
    <ellipse cx="192" cy="190" rx="62" ry="74" fill="${SKIN}"/>
    <path d="M128 186 Q124 108 192 104 Q262 106 258 186 Q248 140 192 138 Q150 140 128 186 Z" fill="${HAIR}"/>
    <ellipse cx="168" cy="196" rx="7" ry="5" fill="#222"/>
    <ellipse cx="216" cy="196" rx="7" ry="5" fill="#222"/>
    <path d="M176 236 Q192 244 208 236" stroke="#6b3b2a" stroke-width="4" fill="none"/>
    ${rainLayer(384, 512, 70, 7)}`,
};

/** Maya in profile, facing right, the courier bag strap across her back. */
const mayaSide: Illustration = {
  size: PORTRAIT,
  body: `
    <rect width="384" height="512" fill="${NIGHT}"/>
    <path d="M120 512 L136 300 Q196 262 252 300 L266 512 Z" fill="${JACKET}"/>
    <rect x="128" y="400" width="134" height="16" fill="#e8e8e8" opacity="0.85"/>
    <line x1="140" y1="300" x2="262" y2="470" stroke="#3a2a1a" stroke-width="12"/>
    <rect x="176" y="236" width="38" height="46" fill="${SKIN}"/>
    <path d="M150 190 Q150 114 206 114 Q258 118 262 178 L280 206 L262 212 Q264 256 222 260 Q160 258 150 190 Z" fill="${SKIN}"/>
    <path d="M146 196 Q134 110 206 104 Q266 108 262 170 Q232 140 196 150 Q170 160 170 210 Q156 214 146 196 Z" fill="${HAIR}"/>
    <ellipse cx="238" cy="186" rx="6" ry="4" fill="#222"/>
    ${rainLayer(384, 512, 70, 11)}`,
};

/** The yellow courier van head-on, headlights blazing into the rain. */
const vanFront: Illustration = {
  size: WIDE,
  body: `
    <rect width="512" height="288" fill="${NIGHT}"/>
    <rect y="210" width="512" height="78" fill="#20283a"/>
    <rect x="146" y="52" width="220" height="170" rx="18" fill="${VAN}"/>
    <rect x="166" y="68" width="180" height="64" rx="8" fill="#2b3a55"/>
    <rect x="196" y="168" width="120" height="26" rx="4" fill="#3a3a3a"/>
    <circle cx="176" cy="180" r="16" fill="#fff7d1"/>
    <circle cx="336" cy="180" r="16" fill="#fff7d1"/>
    <path d="M176 180 L40 288 L150 288 Z M336 180 L472 288 L362 288 Z" fill="#fff7d1" opacity="0.18"/>
    <rect x="160" y="222" width="36" height="30" rx="6" fill="#111"/>
    <rect x="316" y="222" width="36" height="30" rx="6" fill="#111"/>
    ${rainLayer(512, 288, 80, 3)}`,
};

/** The van from the side: cab, cargo box and the black courier stripe with a parcel logo. */
const vanSide: Illustration = {
  size: WIDE,
  body: `
    <rect width="512" height="288" fill="${NIGHT}"/>
    <rect y="226" width="512" height="62" fill="#20283a"/>
    <rect x="70" y="70" width="290" height="150" rx="10" fill="${VAN}"/>
    <path d="M360 110 L420 110 L456 160 L456 220 L360 220 Z" fill="${VAN}"/>
    <path d="M372 120 L414 120 L440 158 L372 158 Z" fill="#2b3a55"/>
    <rect x="70" y="150" width="290" height="18" fill="#1a1a1a"/>
    <rect x="190" y="96" width="52" height="40" fill="#8a5a2b"/>
    <line x1="216" y1="96" x2="216" y2="136" stroke="#c0392b" stroke-width="6"/>
    <circle cx="140" cy="226" r="30" fill="#111"/><circle cx="140" cy="226" r="12" fill="#777"/>
    <circle cx="400" cy="226" r="30" fill="#111"/><circle cx="400" cy="226" r="12" fill="#777"/>
    <rect x="446" y="176" width="12" height="14" fill="#fff7d1"/>
    ${rainLayer(512, 288, 80, 5)}`,
};

/** The empty highway at night: converging lanes under sodium lamps, rain everywhere. */
const highway: Illustration = {
  size: WIDE,
  body: `
    <rect width="512" height="288" fill="#0c1120"/>
    <path d="M0 288 L236 120 L276 120 L512 288 Z" fill="#2a2f3a"/>
    <g stroke="#e8e8e8" stroke-width="4" stroke-dasharray="18 16">
      <line x1="256" y1="124" x2="256" y2="288"/>
    </g>
    <line x1="238" y1="122" x2="30" y2="288" stroke="#d9d9d9" stroke-width="3"/>
    <line x1="274" y1="122" x2="482" y2="288" stroke="#d9d9d9" stroke-width="3"/>
    <g fill="${SODIUM}">
      <circle cx="120" cy="70" r="7"/><circle cx="190" cy="100" r="5"/><circle cx="392" cy="70" r="7"/><circle cx="322" cy="100" r="5"/>
    </g>
    <g stroke="#555" stroke-width="3">
      <line x1="120" y1="70" x2="120" y2="200"/><line x1="190" y1="100" x2="190" y2="150"/>
      <line x1="392" y1="70" x2="392" y2="200"/><line x1="322" y1="100" x2="322" y2="150"/>
    </g>
    <g fill="${SODIUM}" opacity="0.14">
      <circle cx="120" cy="70" r="40"/><circle cx="392" cy="70" r="40"/>
    </g>
    ${rainLayer(512, 288, 120, 13)}`,
};

/** The parcel: brown paper, red tape, and the green glow leaking from a seam. */
const parcel: Illustration = {
  size: SQUARE,
  body: `
    <rect width="384" height="384" fill="#1b1f2a"/>
    <path d="M92 150 L192 110 L292 150 L192 190 Z" fill="#b07a45"/>
    <path d="M92 150 L192 190 L192 300 L92 260 Z" fill="#8a5a2b"/>
    <path d="M292 150 L192 190 L192 300 L292 260 Z" fill="#9c6836"/>
    <path d="M142 130 L242 170 L242 280" stroke="#c0392b" stroke-width="12" fill="none"/>
    <line x1="192" y1="190" x2="292" y2="150" stroke="#5cff8a" stroke-width="3"/>
    <path d="M192 190 L292 150" stroke="#5cff8a" stroke-width="16" opacity="0.25"/>`,
};

/** The one-eyed black sedan that follows the van: one headlight lit, one dead. */
const sedanFront: Illustration = {
  size: WIDE,
  body: `
    <rect width="512" height="288" fill="#0b0e16"/>
    <rect y="216" width="512" height="72" fill="#1a1f2b"/>
    <path d="M140 150 L180 96 L332 96 L372 150 Z" fill="#1e1e22"/>
    <path d="M188 106 L324 106 L350 146 L162 146 Z" fill="#2b3a55" opacity="0.8"/>
    <rect x="116" y="146" width="280" height="70" rx="14" fill="#222228"/>
    <circle cx="156" cy="180" r="15" fill="#fff7d1"/>
    <path d="M156 180 L0 288 L110 288 Z" fill="#fff7d1" opacity="0.16"/>
    <circle cx="356" cy="180" r="15" fill="#3a3a3a"/>
    <rect x="206" y="176" width="100" height="18" rx="3" fill="#111"/>
    <rect x="130" y="214" width="34" height="26" rx="5" fill="#050505"/>
    <rect x="348" y="214" width="34" height="26" rx="5" fill="#050505"/>
    ${rainLayer(512, 288, 90, 17)}`,
};

/** SEQ04's start frame: the lonely gas station the van pulls into. */
const gasStation: Illustration = {
  size: WIDE,
  body: `
    <rect width="512" height="288" fill="#0b0f1c"/>
    <rect y="210" width="512" height="78" fill="#23293a"/>
    <rect x="60" y="70" width="300" height="26" fill="#c62828"/>
    <rect x="70" y="96" width="280" height="8" fill="#f1f1f1" opacity="0.9"/>
    <rect x="96" y="96" width="12" height="120" fill="#777"/><rect x="312" y="96" width="12" height="120" fill="#777"/>
    <rect x="150" y="150" width="30" height="62" fill="#d9d9d9"/><rect x="240" y="150" width="30" height="62" fill="#d9d9d9"/>
    <path d="M70 104 L30 288 L390 288 L350 104 Z" fill="#f1f1f1" opacity="0.07"/>
    <rect x="400" y="120" width="80" height="92" fill="#3b3f4a"/>
    <rect x="414" y="140" width="52" height="34" fill="#ffd27a" opacity="0.8"/>
    ${rainLayer(512, 288, 110, 19)}`,
};

const IMAGES: Record<string, Illustration> = {
  'maya_front.png': mayaFront,
  'maya_side.png': mayaSide,
  'van_front.png': vanFront,
  'van_side.png': vanSide,
  'highway_wide.png': highway,
  'parcel.png': parcel,
  'sedan_front.png': sedanFront,
  'seq04_gas_station.png': gasStation,
};

function toSvg({ size, body }: Illustration): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}">${body}</svg>`,
  );
}

/** A palette PNG keeps each file small enough to commit (flat colours, a few tens of KB). */
async function render(name: string, illustration: Illustration): Promise<void> {
  const file = path.join(REFS_DIR, name);
  await sharp(toSvg(illustration)).png({ palette: true, colours: 64, compressionLevel: 9 }).toFile(file);
  const { size } = await stat(file);
  console.log(`${path.relative(process.cwd(), file)}  ${illustration.size.width}x${illustration.size.height}  ${size} bytes`);
}

await mkdir(REFS_DIR, { recursive: true });
for (const [name, illustration] of Object.entries(IMAGES)) await render(name, illustration);
