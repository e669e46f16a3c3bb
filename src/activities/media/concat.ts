import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ffmpegPath } from './binaries.js';
import { runProcess } from './run-process.js';

/**
 * Joins videos of the same size and codec (and sound, when they have it) end to end without
 * re-encoding, writing to a temp file first so a crash never leaves half a cut at `outPath`. With
 * `startTimecode` the cut gets its own timecode track from there (the sources' tracks are not kept).
 */
export async function concatVideos(sources: string[], outPath: string, { startTimecode }: { startTimecode?: string } = {}): Promise<void> {
  const work = await mkdtemp(join(dirname(outPath), '.concat-'));
  try {
    const list = join(work, 'list.txt');
    await writeFile(list, sources.map((s) => `file '${s.replace(/'/g, "'\\''")}'`).join('\n'));
    const partial = join(work, 'cut.mp4');
    await runProcess(ffmpegPath(), [
      '-hide_banner', '-y', '-f', 'concat', '-safe', '0', '-i', list,
      '-map', '0:v:0', '-map', '0:a?', '-c', 'copy',
      ...(startTimecode ? ['-timecode', startTimecode] : []),
      '-movflags', '+faststart', partial,
    ]);
    await rename(partial, outPath);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
