import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { sniffImageFormat, sniffVideoFormat, SIGNATURE_BYTES } from '../../../project/image-format.js';

export const UPLOAD_CACHE_FILE = '.fal-uploads.json';

interface CacheEntry {
  url: string;
  /** Which fal the file was uploaded to: URLs from the offline fake must never reach the real one. */
  server: string;
  uploadedAt: string;
  /** When fal deletes it, as the upload asked. Entries without it were public uploads: never reused. */
  expiresAt?: string;
}

type CacheFile = Record<string, CacheEntry>;

export interface UploadCacheOptions {
  /** The JSON file mapping sha256 of a file's bytes to its uploaded URL, shared by every worker process. */
  file: string;
  server: string;
  /** How long fal keeps each upload (the upload itself asks for it). */
  lifetimeSec: number;
  upload(file: File): Promise<string>;
}

/**
 * Uploads a local image once and returns its URL on every later call, in this process or another,
 * for as long as the URL is safe to reuse. Keyed by content, so a renamed copy is not uploaded again.
 */
export function createUploadCache(options: UploadCacheOptions): (path: string) => Promise<string> {
  const inFlight = new Map<string, Promise<string>>();
  const writeQueue = serialQueue();

  async function uploadOnce(hash: string, bytes: Buffer, name: string): Promise<string> {
    const cached = (await readCache(options.file))[hash];
    if (cached && isReusable(cached, options.server)) return cached.url;
    const uploadedAt = Date.now();
    const url = await options.upload(new File([new Uint8Array(bytes)], name, { type: mimeType(bytes) }));
    const entry: CacheEntry = {
      url,
      server: options.server,
      uploadedAt: new Date(uploadedAt).toISOString(),
      // Counted from before the upload began, so the entry never claims more life than fal gives it.
      expiresAt: new Date(uploadedAt + options.lifetimeSec * 1_000).toISOString(),
    };
    // Re-read before writing so entries added meanwhile by other processes survive.
    await writeQueue(async () => writeCache(options.file, { ...(await readCache(options.file)), [hash]: entry }));
    return url;
  }

  return async function uploadedUrl(path) {
    const bytes = await readFile(path);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const pending = inFlight.get(hash) ?? uploadOnce(hash, bytes, basename(path)).finally(() => inFlight.delete(hash));
    inFlight.set(hash, pending);
    return pending;
  };
}

/**
 * A URL is handed out only in the first half of its life: a take submitted with it then has at least
 * as long again before fal deletes the file, for its queue and for fal's runner to fetch it.
 */
function isReusable(entry: CacheEntry, server: string): boolean {
  if (entry.server !== server || entry.expiresAt === undefined) return false;
  const uploadedAt = Date.parse(entry.uploadedAt);
  const expiresAt = Date.parse(entry.expiresAt);
  return Date.now() < uploadedAt + (expiresAt - uploadedAt) / 2;
}

/** A missing or damaged cache only costs re-uploads, so it never stops a take. */
async function readCache(file: string): Promise<CacheFile> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as CacheFile) : {};
  } catch {
    return {};
  }
}

async function writeCache(file: string, cache: CacheFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(cache, null, 2)}\n`);
}

function mimeType(bytes: Buffer): string {
  const head = bytes.subarray(0, SIGNATURE_BYTES);
  const image = sniffImageFormat(head);
  if (image) return `image/${image}`;
  return sniffVideoFormat(head) ? 'video/mp4' : 'application/octet-stream';
}

/** Runs tasks one after another, so two uploads finishing together don't drop each other's entry. */
function serialQueue(): (task: () => Promise<void>) => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };
}
