import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ffmpegPath } from './binaries.js';
import { runProcess } from './run-process.js';

export interface ConcatOptions {
  /** The cut's own timecode track starts here (the sources' tracks are not kept). */
  startTimecode?: string;
  /** Encode the joined sound once as AAC (sources with PCM sound), rather than copy it. */
  encodeAudio?: boolean;
}

/**
 * Joins videos of the same size and codec end to end without re-encoding the picture, writing to a
 * temp file first so a crash never leaves half a cut at `outPath`.
 */
export async function concatVideos(sources: string[], outPath: string, { startTimecode, encodeAudio = false }: ConcatOptions = {}): Promise<void> {
  const work = await mkdtemp(join(dirname(outPath), '.concat-'));
  try {
    const list = join(work, 'list.txt');
    await writeFile(list, sources.map((s) => `file '${s.replace(/'/g, "'\\''")}'`).join('\n'));
    const partial = join(work, 'cut.mp4');
    await runProcess(ffmpegPath(), [
      '-hide_banner', '-y', '-f', 'concat', '-safe', '0', '-i', list,
      '-map', '0:v:0', '-map', '0:a?', '-c:v', 'copy',
      ...(encodeAudio ? ['-c:a', 'aac', '-b:a', '192k'] : ['-c:a', 'copy']),
      ...(startTimecode ? ['-timecode', startTimecode] : []),
      '-movflags', '+faststart', partial,
    ]);
    await rename(partial, outPath);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
