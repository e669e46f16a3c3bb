import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

const HEARTBEAT_MS = 15_000;
const LOCK_POLL_MS = 1_000;
const BUILD_DIR_PREFIX = '.build-';

export type Progress = (line: string) => void;

/** Go programs built once per machine and user, kept under the user cache folder (~/.cache/recoil/…). */
export interface CachedGoBuild {
  /** What is being built, in progress lines, e.g. "the Temporal CLI 1.5.1". */
  label: string;
  /** Folder under the Recoil cache, e.g. "temporal-1.5.1". */
  cacheName: string;
  /**
   * How to build: `go install` arguments (flags, then packages of one module at one version), or one
   * package built inside its module as the main module, for a module whose go.mod has replace
   * directives (`go install module@version` refuses those).
   */
  how: { installArgs: string[] } | { module: string; version: string; package: string; binary: string };
  /** The binaries `go install` writes, and the names they get in the cache folder. */
  binaries: Record<string, string>;
  /** True when the cache folder already holds a usable build (checked again under the lock). */
  isCached(): Promise<boolean>;
  /** Shown when Go is missing or the build fails. */
  installHint: string;
  /** A Go toolchain the module needs beyond the machine's own (GOTOOLCHAIN; the module proxy serves it). */
  toolchain?: string;
}

export function recoilCacheDir(name: string): string {
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'recoil', name);
}

/**
 * Builds with `go install` unless the cache already holds the build. One build per cache folder at a
 * time (a lock file), so parallel test runs or engineers wait for one another instead of racing.
 */
export async function ensureGoBuild(build: CachedGoBuild, report: Progress): Promise<string> {
  const cacheDir = recoilCacheDir(build.cacheName);
  if (await build.isCached()) return cacheDir;
  const go = await findOnPath('go');
  if (!go) throw new Error(build.installHint);
  await mkdir(cacheDir, { recursive: true });
  const release = await acquireLock(join(cacheDir, 'build.lock'), build.label, report);
  try {
    // Whoever held the lock before us may have just finished the same build.
    if (await build.isCached()) return cacheDir;
    await removeAbandonedBuilds(cacheDir);
    await withHeartbeat(report, `still building ${build.label} (first time only, several minutes)…`, () =>
      goInstallInto(go, cacheDir, build, report),
    );
    return cacheDir;
  } finally {
    await release();
  }
}

// Builds into a private folder next to the targets, then renames: a killed build never leaves a half binary.
async function goInstallInto(go: string, cacheDir: string, build: CachedGoBuild, report: Progress): Promise<void> {
  const buildDir = await mkdtemp(join(cacheDir, `${BUILD_DIR_PREFIX}${process.pid}-`));
  try {
    report(`building ${build.label} with ${go} into ${cacheDir}`);
    if ('installArgs' in build.how) await runGo(go, ['install', ...build.how.installArgs], { env: { GOBIN: buildDir } }, build, report);
    else await buildInModule(go, buildDir, build.how, build, report);
    for (const [built, cachedAs] of Object.entries(build.binaries)) await rename(join(buildDir, built), join(cacheDir, cachedAs));
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

type ModuleBuild = Extract<CachedGoBuild['how'], { module: string }>;

// The module's own folder in the module cache is read-only but buildable: its go.mod, go.sum and replace directives hold.
async function buildInModule(go: string, buildDir: string, how: ModuleBuild, build: CachedGoBuild, report: Progress): Promise<void> {
  const downloaded = await runGo(go, ['mod', 'download', '-json', `${how.module}@${how.version}`], {}, build, () => undefined);
  const { Dir: moduleDir } = JSON.parse(downloaded) as { Dir: string };
  await runGo(go, ['build', '-o', join(buildDir, how.binary), `./${how.package}`], { cwd: moduleDir }, build, report);
}

/** Runs one go command, relaying its output as progress; its standard output is returned. */
async function runGo(go: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }, build: CachedGoBuild, report: Progress): Promise<string> {
  const child = spawn(go, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, ...(build.toolchain ? { GOTOOLCHAIN: build.toolchain } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
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
    throw new Error(`go ${args[0]} of ${build.label} failed (exit ${exitCode}):\n${recent.join('\n')}\n\n${build.installHint}`);
  }
  return stdout;
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
async function acquireLock(lockPath: string, label: string, report: Progress): Promise<() => Promise<void>> {
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
      report(`waiting for another process (pid ${holder ?? '?'}) that is building ${label}… ${secondsSince(waitStartedAt)}s`);
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

export async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = resolve(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
