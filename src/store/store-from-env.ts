import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { usageError } from '../domain/cli-error.js';
import type { ArtifactStore } from './artifact-store.js';
import { LocalFolderStore } from './local-folder-store.js';
import { S3Store } from './s3-store.js';

/**
 * The artifacts store the environment names (docs/storage.md):
 * - RECOIL_ARTIFACTS_URL=s3://bucket/prefix keeps them in an S3-compatible bucket, with
 *   RECOIL_S3_ENDPOINT (MinIO, SeaweedFS, R2…), RECOIL_S3_PATH_STYLE=1, AWS_REGION and the AWS SDK's
 *   own credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, a role). This process's
 *   cache is then RECOIL_ARTIFACTS_DIR, else the user cache folder.
 * - otherwise they are the folder RECOIL_ARTIFACTS_DIR, else ./artifacts.
 */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  const url = env.RECOIL_ARTIFACTS_URL?.trim();
  if (!url) return new LocalFolderStore(resolve(env.RECOIL_ARTIFACTS_DIR ?? 'artifacts'));
  const { bucket, prefix } = parseBucketUrl(url);
  return new S3Store({ bucket, prefix, cacheDir: resolve(env.RECOIL_ARTIFACTS_DIR ?? defaultCacheDir(env, bucket, prefix)), client: s3ClientFromEnv(env) });
}

export function parseBucketUrl(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw usageError(`RECOIL_ARTIFACTS_URL=${url} is not s3://bucket or s3://bucket/prefix: name a bucket (3–63 lower-case letters, digits, dots, hyphens), or unset it to keep the artifacts in RECOIL_ARTIFACTS_DIR`);
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/\/+$/, '') };
}

/** An S3 client as Recoil configures one from an environment (its own, or one given). */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv): S3Client {
  const endpoint = env.RECOIL_S3_ENDPOINT?.trim();
  return new S3Client({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: env.RECOIL_S3_PATH_STYLE === '1' || env.RECOIL_S3_PATH_STYLE === 'true',
    // Keys in the environment given win; without them, the SDK's own chain (profiles, roles…).
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : {}),
    // Only what the operation needs is checksummed: S3-compatible servers differ on the newer defaults.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function defaultCacheDir(env: NodeJS.ProcessEnv, bucket: string, prefix: string): string {
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'recoil', 'artifacts', bucket, ...prefix.split('/').filter(Boolean));
}
