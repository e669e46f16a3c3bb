import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { otioJson } from '../../domain/editorial/otio.js';
import type { EditorialCut } from '../../domain/editorial/cut.js';

/**
 * The cut as an OTIOZ bundle, OpenTimelineIO's own single-file package: `version.txt`, the timeline
 * as `content.otio` and every source under `media/`, where the timeline's relative paths already
 * point. The media are stored, not compressed: video does not shrink, and a reader can seek in them.
 */
export async function writeOtioBundle(dir: string, cut: EditorialCut, outPath: string): Promise<void> {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from('1.0.0'), 'version.txt');
  zip.addBuffer(Buffer.from(otioJson(cut)), 'content.otio');
  for (const clip of cut.clips) zip.addFile(join(dir, clip.mediaPath), clip.mediaPath, { compress: false });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(outPath));
}
