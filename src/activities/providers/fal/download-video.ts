import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { providerUnavailable } from './fal-errors.js';

/**
 * Downloads the finished video beside `videoPath` and renames it into place, so the take folder
 * never holds half a video under the real name. fal's CDN URLs are public: no credentials are sent.
 */
export async function downloadVideo(fetchFn: typeof fetch, url: string, videoPath: string, signal: AbortSignal): Promise<void> {
  const response = await fetchFn(url, { signal });
  if (!response.ok || !response.body) {
    throw providerUnavailable(`fal finished the take but its file server answered HTTP ${response.status} for the video`);
  }
  const partPath = `${videoPath}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream), createWriteStream(partPath), { signal });
    await rename(partPath, videoPath);
  } catch (err) {
    await rm(partPath, { force: true });
    throw err;
  }
}
