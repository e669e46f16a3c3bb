/** What a file really is, from its first bytes: a renamed text file must not pass for a PNG. */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** Enough bytes for every signature below. */
export const SIGNATURE_BYTES = 12;

export function sniffImageFormat(head: Uint8Array): ImageFormat | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** MP4 and QuickTime files start with a box: `ftyp` (or, in old QuickTime, `moov`, `mdat`, `wide`, `free`). */
export function sniffVideoFormat(head: Uint8Array): 'mp4' | undefined {
  return ['ftyp', 'moov', 'mdat', 'wide', 'free'].includes(ascii(head, 4, 8)) ? 'mp4' : undefined;
}

/** Printable ASCII and whitespace only: most often an error page or a note saved under an image name. */
export function looksLikeText(head: Uint8Array): boolean {
  return head.length > 0 && head.every((byte) => byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f));
}

function startsWith(head: Uint8Array, signature: number[]): boolean {
  return signature.every((byte, i) => head[i] === byte);
}

function ascii(head: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...head.subarray(from, to));
}
