import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export const TEMPORAL_CLI_VERSION = '1.5.1';

// v1.5.1 is the last tag without a `replace` directive, so the last one `go install` can build by version.
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
// `go install` skips the release's ldflags, so without this the binary calls itself 0.0.0-DEV.
const STAMP_VERSION = `-ldflags=-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;
const HEARTBEAT_MS = 15_000;
const LOCK_POLL_MS = 1_000;
const BUILD_DIR_PREFIX = '.build-';

type Progress = (line: string) => void;

export interface EnsureTemporalCliOptions {
  onProgress?: Progress;
}

export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<string> {
  const report = opts.onProgress ?? (() => {});
  return (await explicitCli()) ?? (await cliOnPath()) ?? (await cachedCli()) ?? (await buildCachedCli(report));
}

export function temporalCliCachePath(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'recoil', `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

async function explicitCli(): Promise<string | undefined> {
  const configured = process.env.RECOIL_TEMPORAL_CLI;
  if (!configured) return undefined;
  const path = resolve(configured);
  if (!(await isExecutableFile(path))) {
    throw new Error(`RECOIL_TEMPORAL_CLI is set to ${path}, but no executable file exists there. Fix the path or unset the variable.`);
  }
  return path;
}

async function cliOnPath(): Promise<string | undefined> {
  const path = await findOnPath('temporal');
  if (!path) return undefined;
  const version = await versionOf(path);
  return version && /\bversion 1\./.test(version) ? path : undefined;
}

async function cachedCli(): Promise<string | undefined> {
  const path = temporalCliCachePath();
  return (await isPinnedBuild(path)) ? path : undefined;
}

// A build by plain `go install` (no version stamp) is still v1.5.1: that tag is what pins Server 1.29.1.
async function isPinnedBuild(path: string): Promise<boolean> {
  const version = await versionOf(path);
  if (!version) return false;
  return version.includes(`version ${TEMPORAL_CLI_VERSION} `) || version.includes('version 0.0.0-DEV (Server 1.29.1,');
}

async function buildCachedCli(report: Progress): Promise<string> {
  const go = await findOnPath('go');
  if (!go) throw new Error(installHint());
  const target = temporalCliCachePath();
  const cacheDir = dirname(target);
  await mkdir(cacheDir, { recursive: true });
  const release = await acquireLock(join(cacheDir, 'build.lock'), report);
  try {
    // Whoever held the lock before us may have just finished the same build.
    if (await isPinnedBuild(target)) return target;
    await removeAbandonedBuilds(cacheDir);
    await withHeartbeat(report, 'still building the Temporal CLI (first time only, several minutes)…', () =>
      goInstallInto(go, target, report),
    );
    return target;
  } finally {
    await release();
  }
}

// Builds into a private folder next to the target, then renames: a killed build never leaves a half binary.
async function goInstallInto(go: string, target: string, report: Progress): Promise<void> {
  const buildDir = await mkdtemp(join(dirname(target), `${BUILD_DIR_PREFIX}${process.pid}-`));
  try {
    report(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} into ${dirname(target)}`);
    await runGoInstall(go, buildDir, report);
    await rename(join(buildDir, 'temporal'), target);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

async function runGoInstall(go: string, gobin: string, report: Progress): Promise<void> {
  const child = spawn(go, ['install', STAMP_VERSION, `${CLI_MODULE}@v${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: gobin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  const relay = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    report(line);
  };
  forEachLine(child.stdout, relay);
  forEachLine(child.stderr, relay);
  const exitCode = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  if (exitCode !== 0) {
    throw new Error(`go install of the Temporal CLI failed (exit ${exitCode}):\n${recent.join('\n')}\n\n${installHint()}`);
  }
}

function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

async function withHeartbeat<T>(report: Progress, message: string, work: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const timer = setInterval(() => report(`${message} ${secondsSince(startedAt)}s`), HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function secondsSince(startedAt: number): number {
  return Math.round((Date.now() - startedAt) / 1000);
}

// An exclusive-create lock file holding the builder's pid; a lock whose pid is gone was left by a killed build.
async function acquireLock(lockPath: string, report: Progress): Promise<() => Promise<void>> {
  const waitStartedAt = Date.now();
  let lastReportAt = -Infinity;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if (!isErrorCode(error, 'EEXIST')) throw error;
    }
    const holder = await lockHolder(lockPath);
    if (holder !== undefined && !isProcessAlive(holder)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() - lastReportAt >= HEARTBEAT_MS) {
      report(`waiting for another process (pid ${holder ?? '?'}) that is building the Temporal CLI… ${secondsSince(waitStartedAt)}s`);
      lastReportAt = Date.now();
    }
    await sleep(LOCK_POLL_MS);
  }
}

async function lockHolder(lockPath: string): Promise<number | undefined> {
  const content = await readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number.parseInt(content, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrorCode(error, 'EPERM');
  }
}

// Only called while holding the lock, so every build folder whose owner died is garbage.
async function removeAbandonedBuilds(cacheDir: string): Promise<void> {
  for (const entry of await readdir(cacheDir)) {
    if (!entry.startsWith(BUILD_DIR_PREFIX)) continue;
    const ownerPid = Number.parseInt(entry.slice(BUILD_DIR_PREFIX.length), 10);
    if (!isProcessAlive(ownerPid)) await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
}

async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = resolve(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function versionOf(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)(path, ['--version'], { timeout: 15_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function installHint(): string {
  return [
    'Recoil needs the Temporal CLI for its local dev server, and could not find or build it.',
    `Either install Go >= 1.25 (Recoil then builds the CLI once into ${temporalCliCachePath()}),`,
    'put a Temporal CLI 1.x named `temporal` on your PATH,',
    'or set RECOIL_TEMPORAL_CLI=/absolute/path/to/temporal.',
  ].join('\n');
}
