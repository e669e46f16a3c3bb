import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ApplicationFailure } from '@temporalio/activity';
import { providerUnavailable } from './fal-errors.js';

/**
 * Downloads the finished video beside `videoPath` and renames it into place, so the take folder
 * never holds half a video under the real name. fal's CDN URLs need no credentials, and none are sent.
 */
export async function downloadVideo(fetchFn: typeof fetch, url: string, videoPath: string, signal: AbortSignal): Promise<void> {
  const response = await fetchFn(url, { signal });
  if (response.status === 404 || response.status === 410) {
    // Asking again will not bring it back: the video outlived its lifetime on fal's CDN (a worker was
    // down longer than RECOIL_FAL_VIDEO_EXPIRES_SEC). fal billed it; only a retake makes it again.
    throw ApplicationFailure.nonRetryable(
      `fal finished the take, but its video is gone from fal's file server (HTTP ${response.status}): it expired before it was downloaded. ` +
        'Retake it; if workers can be down for long, raise RECOIL_FAL_VIDEO_EXPIRES_SEC',
      'ProviderRejected',
    );
  }
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
