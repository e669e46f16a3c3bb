import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { s3ClientFromEnv } from '../../src/store/store-from-env.js';
import { ensureGoBuild, isExecutableFile, recoilCacheDir, type Progress } from '../../src/temporal/go-build.js';
import { REPO_ROOT } from '../compose-file.js';
import { spawnGroup, type GroupProcess } from '../deploy/process-group.js';
import { freeLowPorts } from './free-ports.js';

const run = promisify(execFile);

/**
 * SeaweedFS (Apache-2.0), the S3-compatible server of the tests and of docker-compose.yml: one
 * `weed` binary built from Go modules at the version the module proxy serves, cached in
 * ~/.cache/recoil/seaweedfs-<release>/. Its go.mod has a replace directive, so it is built inside its
 * own module rather than with `go install …@version`.
 */
export const SEAWEEDFS = {
  module: 'github.com/seaweedfs/seaweedfs',
  version: 'v0.0.0-20261109003541-7506e5f91cd6',
  /** What `weed version` prints for that commit, and docker-compose.yml's image tag. */
  release: '4.53',
} as const;

export async function ensureSeaweedFs(report: Progress): Promise<string> {
  const cacheName = `seaweedfs-${SEAWEEDFS.release}`;
  const weed = join(recoilCacheDir(cacheName), 'weed');
  await ensureGoBuild(
    {
      label: `SeaweedFS ${SEAWEEDFS.release}`,
      cacheName,
      how: { module: SEAWEEDFS.module, version: SEAWEEDFS.version, package: 'weed', binary: 'weed' },
      binaries: { weed: 'weed' },
      isCached: () => reportsRelease(weed),
      installHint: `Building SeaweedFS needs Go on PATH (the build is then cached in ${recoilCacheDir(cacheName)}).`,
    },
    report,
  );
  return weed;
}

async function reportsRelease(weed: string): Promise<boolean> {
  if (!(await isExecutableFile(weed))) return false;
  const { stdout } = await run(weed, ['version'], { timeout: 15_000 }).catch(() => ({ stdout: '' }));
  return stdout.includes(`version 30GB ${SEAWEEDFS.release}`) || stdout.includes(` ${SEAWEEDFS.release} `);
}

export interface S3Server {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  process: GroupProcess;
  stop(): Promise<void>;
}

export interface StartS3ServerOptions {
  dataDir: string;
  bucket: string;
  logFile: string;
  report: Progress;
  /** The identity's keys; random when not given. */
  accessKeyId?: string;
  secretAccessKey?: string;
}

/**
 * The seaweedfs service of docker-compose.yml, natively: its start script (deploy/seaweedfs/start.sh)
 * with the cached `weed` on PATH, on loopback ports of its own. Every port is named: several test runs
 * share a machine, and the defaults would collide.
 */
export async function startS3Server(options: StartS3ServerOptions): Promise<S3Server> {
  const weed = await ensureSeaweedFs(options.report);
  const accessKeyId = options.accessKeyId ?? `recoil${randomBytes(6).toString('hex')}`;
  const secretAccessKey = options.secretAccessKey ?? randomBytes(24).toString('base64url');
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc, admin, adminGrpc, metrics, s3Metrics] = await freeLowPorts(12);
  const process = await spawnGroup({
    name: 'seaweedfs',
    command: join(REPO_ROOT, 'deploy', 'seaweedfs', 'start.sh'),
    args: [
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      `-admin.port=${admin}`,
      `-admin.port.grpc=${adminGrpc}`,
      `-metricsPort=${metrics}`,
      `-s3.metricsPort=${s3Metrics}`,
    ],
    env: {
      PATH: [dirname(weed), globalThis.process.env.PATH ?? ''].join(delimiter),
      HOME: options.dataDir,
      SEAWEEDFS_DIR: options.dataDir,
      RECOIL_S3_BUCKET: options.bucket,
      RECOIL_S3_ACCESS_KEY_ID: accessKeyId,
      RECOIL_S3_SECRET_KEY: secretAccessKey,
    },
    logFile: options.logFile,
  });
  const server = { endpoint: `http://127.0.0.1:${s3}`, bucket: options.bucket, accessKeyId, secretAccessKey, process, stop: () => process.stop() };
  try {
    await untilBucketAnswers(server);
  } catch (error) {
    await process.stop();
    throw new Error(`SeaweedFS did not serve s3://${options.bucket} at ${server.endpoint}: ${(error as Error).message}\n${await process.logTail(30)}`, { cause: error });
  }
  options.report(`SeaweedFS ${SEAWEEDFS.release} serving s3://${options.bucket} at ${server.endpoint}`);
  return server;
}

/** A client of the server as Recoil configures one (path-style, checksums only where required). */
export function s3ClientOf(server: Pick<S3Server, 'endpoint' | 'accessKeyId' | 'secretAccessKey'>): S3Client {
  return s3ClientFromEnv({ RECOIL_S3_ENDPOINT: server.endpoint, RECOIL_S3_PATH_STYLE: '1', AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey });
}

async function untilBucketAnswers(server: Omit<S3Server, 'stop'>): Promise<void> {
  const client = s3ClientOf(server);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.process.hasExited()) throw new Error('weed exited');
    try {
      await client.send(new ListObjectsV2Command({ Bucket: server.bucket, MaxKeys: 1 }));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}
