import { ffmpegPath } from './binaries.js';
import { runProcess } from './run-process.js';

export interface DeliverySourceSpec {
  /** Reel (tape) name, at most 8 characters, as the EDL names the source. */
  reel: string;
  /** The source's first frame as HH:MM:SS:FF, as the EDL's source in-point reads it. */
  startTimecode: string;
  /** Keep the take's own sound; without it (or when the take has none) the source carries silence. */
  takeHasAudio: boolean;
  sampleRate: number;
  channels: number;
  /** The picture's exact length: the sound is padded or cut to it. */
  durationSec: number;
}

/**
 * Writes a take as an editor's source: the picture copied bit for bit, a QuickTime timecode track
 * starting at `startTimecode` with the reel name in it (where Avid, Premiere and Resolve read a
 * reel), and one stereo PCM track — the take's sound, or silence of the same length — so every
 * source and the cut made from them have the same A1. PCM because it is what editors expect in a
 * source, and it joins sample-exact: AAC's encoder delay would slip the sound a frame every few cuts.
 */
export async function writeDeliverySource(takeVideo: string, outPath: string, spec: DeliverySourceSpec): Promise<void> {
  const silence = ['-f', 'lavfi', '-i', `anullsrc=r=${spec.sampleRate}:cl=${spec.channels === 1 ? 'mono' : 'stereo'}`];
  await runProcess(ffmpegPath(), [
    '-hide_banner', '-v', 'error', '-y',
    '-i', takeVideo,
    ...(spec.takeHasAudio ? [] : silence),
    '-map', '0:v:0', '-map', spec.takeHasAudio ? '0:a:0' : '1:a:0',
    '-c:v', 'copy',
    // A take's sound may end before its picture: padded, then cut with everything at the picture's end.
    '-af', 'apad', '-t', spec.durationSec.toFixed(6),
    '-c:a', 'pcm_s16le', '-ar', String(spec.sampleRate), '-ac', String(spec.channels),
    '-timecode', spec.startTimecode,
    '-metadata:s:v:0', `reel_name=${spec.reel}`,
    '-metadata', `reel_name=${spec.reel}`,
    '-movflags', '+faststart',
    '-f', 'mov', outPath,
  ]);
}
