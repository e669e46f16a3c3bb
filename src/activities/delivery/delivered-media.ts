import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DELIVERED_AUDIO, SOURCE_START_FRAME, type EditorialCut } from '../../domain/editorial/cut.js';
import { framesToSeconds, framesToTimecode } from '../../domain/timecode.js';
import { writeDeliverySource } from '../media/delivery-source.js';
import { MEDIA_FOLDER } from '../../store/delivery/delivery-files.js';

/**
 * Writes each approved take into the version's media folder under its delivered name, as the cut
 * describes it: the take's picture untouched, with the clip's reel and source timecode and an A1
 * of the take's sound or silence. The take's own file is only read.
 */
export async function writeDeliveredMedia(dir: string, cut: EditorialCut, takeVideos: readonly string[]): Promise<void> {
  await mkdir(join(dir, MEDIA_FOLDER), { recursive: true });
  for (const [i, clip] of cut.clips.entries()) {
    await writeDeliverySource(takeVideos[i]!, join(dir, clip.mediaPath), {
      reel: clip.reel,
      startTimecode: framesToTimecode(SOURCE_START_FRAME, cut.rate),
      takeHasAudio: clip.audio === 'take',
      ...DELIVERED_AUDIO,
      durationSec: framesToSeconds(clip.frames, cut.rate),
    });
  }
}
