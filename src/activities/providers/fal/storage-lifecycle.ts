import type { StorageSettings } from '@fal-ai/client';

/**
 * How long fal keeps our uploads: they must outlive a long account queue and the retakes that
 * reuse them (the upload cache hands a URL out only in the first half of its life); a day does.
 */
const DEFAULT_UPLOAD_EXPIRES_SEC = 24 * 60 * 60;
/**
 * A finished video is fetched the moment fal reports it done, by the next activity; the margin is for
 * a worker that was down when the job finished: once the video is gone, the paid take is lost.
 */
const DEFAULT_VIDEO_EXPIRES_SEC = 6 * 60 * 60;

export interface FalStorageLifetimes {
  /** RECOIL_FAL_STORAGE_EXPIRES_SEC: reference images and start frames. */
  uploadSec: number;
  /** RECOIL_FAL_VIDEO_EXPIRES_SEC: the videos fal makes. */
  videoSec: number;
}

export const DEFAULT_LIFETIMES: FalStorageLifetimes = { uploadSec: DEFAULT_UPLOAD_EXPIRES_SEC, videoSec: DEFAULT_VIDEO_EXPIRES_SEC };

/**
 * An upload is the client's material: not public. fal's docs restrict a model input by setting the
 * ACL on its upload, so the account's own requests still read it (not yet tried with a paid take).
 * `forbid` rather than `hide`: both deny everyone the rules do not name (we name no one), but a
 * refusal then says "forbidden", where `hide` answers as if the file did not exist, which would
 * pass for an expired upload.
 */
export function uploadLifecycle(lifetimes: FalStorageLifetimes): StorageSettings {
  return { expiresIn: lifetimes.uploadSec, initialAcl: { default: 'forbid' } };
}

/**
 * The video's lifetime only. Its ACL stays the account's default: the download sends no key (fal's
 * docs say how a restricted file is shared, a signed URL, not whether the CDN takes the API key),
 * and a paid video we cannot fetch is worse than one reachable by its unguessable URL for hours.
 */
export function videoStorageSettings(lifetimes: FalStorageLifetimes): StorageSettings {
  return { expiresIn: lifetimes.videoSec };
}
