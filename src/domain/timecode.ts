/**
 * Frame rates as exact fractions and SMPTE non-drop-frame timecode. 23.976 fps is 24000/1001:
 * kept as a fraction so frame counts and timecodes never drift from rounding a decimal.
 */
export interface FrameRate {
  num: number;
  den: number;
}

/** ffprobe's "24000/1001", "25/1" or "24"; undefined for "0/0" and anything else unusable. */
export function parseFrameRate(text: string | undefined): FrameRate | undefined {
  const match = /^\s*(\d+)(?:\s*\/\s*(\d+))?\s*$/.exec(text ?? '');
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = match[2] === undefined ? 1 : Number(match[2]);
  if (num <= 0 || den <= 0) return undefined;
  const divisor = gcd(num, den);
  return { num: num / divisor, den: den / divisor };
}

export function formatFrameRate(rate: FrameRate): string {
  return rate.den === 1 ? String(rate.num) : `${rate.num}/${rate.den}`;
}

export function sameFrameRate(a: FrameRate, b: FrameRate): boolean {
  return a.num * b.den === b.num * a.den;
}

/** Frames per second as a number (OTIO's `rate`): 24000/1001 → 23.976023976023978. */
export function framesPerSecond(rate: FrameRate): number {
  return rate.num / rate.den;
}

/** How people say the rate: "24", "23.976", "29.97". */
export function frameRateLabel(rate: FrameRate): string {
  return String(Number(framesPerSecond(rate).toFixed(3)));
}

/** Timecode counts frames at the whole-number rate: 23.976 fps runs 24 frame numbers a second. */
function nominalFps(rate: FrameRate): number {
  return Math.round(framesPerSecond(rate));
}

export function framesToSeconds(frames: number, rate: FrameRate): number {
  return (frames * rate.den) / rate.num;
}

export function secondsToFrames(seconds: number, rate: FrameRate): number {
  return Math.round((seconds * rate.num) / rate.den);
}

/** HH:MM:SS:FF, non-drop-frame. */
export function framesToTimecode(frames: number, rate: FrameRate): string {
  if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`a timecode needs a whole, non-negative frame count, not ${frames}`);
  const fps = nominalFps(rate);
  const pad = (n: number) => String(n).padStart(2, '0');
  const totalSeconds = Math.floor(frames / fps);
  return [Math.floor(totalSeconds / 3600), Math.floor(totalSeconds / 60) % 60, totalSeconds % 60, frames % fps].map(pad).join(':');
}

/** Frames of `hours` of timecode at this rate: record time starts at one hour by convention. */
export function hoursToFrames(hours: number, rate: FrameRate): number {
  return hours * 3600 * nominalFps(rate);
}

/** "1:02.5" style length for people: minutes and seconds, tenths when not whole. */
export function formatLength(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  const secondsText = Number.isInteger(Number(rest.toFixed(1))) ? rest.toFixed(0) : rest.toFixed(1);
  return `${minutes}:${secondsText.padStart(secondsText.includes('.') ? 4 : 2, '0')}`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
