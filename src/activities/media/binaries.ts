import { createRequire } from 'node:module';

/**
 * Where ffmpeg and ffprobe live: an explicit env override wins (ops can pin a newer build),
 * then the binaries shipped by npm (so a fresh checkout works offline), then whatever is on PATH.
 */
const require = createRequire(import.meta.url);

let ffmpeg: string | undefined;
let ffprobe: string | undefined;

// Where a tool is installed is a fact of the machine, the same for every caller (CLI, worker, tests),
// not configuration of a run: read here rather than threaded through every media helper.
/* eslint-disable no-restricted-properties */
export function ffmpegPath(): string {
  ffmpeg ??= process.env.RECOIL_FFMPEG || npmBinary('@ffmpeg-installer/ffmpeg') || 'ffmpeg';
  return ffmpeg;
}

export function ffprobePath(): string {
  ffprobe ??= process.env.RECOIL_FFPROBE || npmBinary('@ffprobe-installer/ffprobe') || 'ffprobe';
  return ffprobe;
}
/* eslint-enable no-restricted-properties */

/** The installer packages throw (sometimes a bare string) when no binary exists for this platform. */
function npmBinary(packageName: string): string | undefined {
  try {
    return (require(packageName) as { path: string }).path;
  } catch {
    return undefined;
  }
}
