import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BurnInCaption } from '../../domain/editorial/burn-in.js';
import { formatFrameRate, type FrameRate } from '../../domain/timecode.js';
import { ffmpegPath } from './binaries.js';
import { runProcess } from './run-process.js';

export interface BurnInRequest {
  captions: readonly BurnInCaption[];
  /** Record timecode of the cut's first frame, HH:MM:SS:FF. */
  startTimecode: string;
  rate: FrameRate;
  /** Scratch space for the caption files and the filter script. */
  workDir: string;
  /** Stops the encode: an attempt the server gave up on must not keep a core busy beside its retry. */
  signal?: AbortSignal;
}

/** DejaVu as Debian, Fedora and Alpine install it; the image installs Debian's fonts-dejavu-core. */
const FONT_FOLDERS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu-sans-fonts', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF'];

/**
 * The cut re-encoded with a window burnt into the picture: the record timecode top right, and top
 * centre the version, sequence, take and shot on screen. Sound and the cut's timecode track carry
 * over. Each caption's text is read from a file, so no prompt or id needs escaping for ffmpeg.
 */
export async function burnInCut(cutPath: string, outPath: string, request: BurnInRequest): Promise<void> {
  const { captions, workDir } = request;
  await Promise.all(captions.map((caption, i) => writeFile(join(workDir, captionFile(i)), caption.text)));
  const font = await fontOption();
  const box = 'fontcolor=white:box=1:boxcolor=black@0.72:boxborderw=10';
  const filters = [
    `drawtext=${font}:timecode='${escapeColons(request.startTimecode)}':rate=${formatFrameRate(request.rate)}:fontsize=h/24:${box}:x=w-tw-24:y=24`,
    ...captions.map((c, i) => `drawtext=${font}:textfile=${captionFile(i)}:fontsize=h/30:${box}:x=(w-tw)/2:y=24:enable='between(n,${c.firstFrame},${c.lastFrame})'`),
  ];
  await writeFile(join(workDir, 'burn-in.filter'), filters.join(',\n'));
  await runProcess(
    ffmpegPath(),
    [
      '-hide_banner', '-v', 'error', '-y',
      '-i', cutPath,
      '-filter_script:v', 'burn-in.filter',
      '-map', '0:v:0', '-map', '0:a?',
      '-vsync', 'passthrough', // exactly the cut's frames: a frame more or less would shift the timecode against it
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
      '-c:a', 'copy',
      '-timecode', request.startTimecode,
      '-movflags', '+faststart',
      outPath,
    ],
    { cwd: workDir, ...(request.signal ? { signal: request.signal } : {}) },
  );
}

function captionFile(index: number): string {
  return `caption-${index}.txt`;
}

function escapeColons(text: string): string {
  return text.replace(/:/g, '\\:');
}

/** A font file when one is installed where fonts live (no fontconfig lookup, no warnings); else fontconfig's sans. */
async function fontOption(): Promise<string> {
  for (const folder of FONT_FOLDERS) {
    const file = join(folder, 'DejaVuSansMono-Bold.ttf');
    if (await access(file).then(() => true, () => false)) return `fontfile=${file}`;
  }
  return "font='Sans'";
}
