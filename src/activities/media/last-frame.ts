import { ffmpegPath } from './binaries.js';
import { probeVideo } from './probe.js';
import { runProcess } from './run-process.js';

/**
 * Writes a video's very last frame as a PNG, counted frame-exact: seeking near the end can land a
 * frame early, and a chained cut must meet on the frame the editor will see last. A file that does
 * not say how many frames it has is decoded over its last second, each frame overwriting the one before.
 */
export async function extractLastFrame(videoPath: string, outPng: string): Promise<void> {
  const { frameCount } = await probeVideo(videoPath);
  const args = frameCount
    ? ['-i', videoPath, '-vf', `select=eq(n\\,${frameCount - 1})`, '-frames:v', '1', outPng]
    : ['-sseof', '-1', '-i', videoPath, '-update', '1', outPng];
  await runProcess(ffmpegPath(), ['-hide_banner', '-v', 'error', '-y', ...args]);
}
