import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ensureGoBuild, findOnPath, isExecutableFile, recoilCacheDir, type Progress } from './go-build.js';
import { TEMPORAL_VERSIONS } from './versions.js';

export const TEMPORAL_CLI_VERSION = TEMPORAL_VERSIONS.cli;

// v1.5.1 is the last tag without a `replace` directive, so the last one `go install` can build by version.
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
// `go install` skips the release's ldflags, so without this the binary calls itself 0.0.0-DEV.
const STAMP_VERSION = `-ldflags=-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;

export interface EnsureTemporalCliOptions {
  onProgress?: Progress;
}

export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<string> {
  const report = opts.onProgress ?? (() => {});
  return (await explicitCli()) ?? (await cliOnPath()) ?? (await cachedCli()) ?? (await buildCachedCli(report));
}

function temporalCliCachePath(): string {
  return join(recoilCacheDir(`temporal-${TEMPORAL_CLI_VERSION}`), 'temporal');
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

// A build by plain `go install` (no version stamp) is still the pinned tag: it is what pins the dev server's version.
async function isPinnedBuild(path: string): Promise<boolean> {
  const version = await versionOf(path);
  if (!version) return false;
  return version.includes(`version ${TEMPORAL_CLI_VERSION} `) || version.includes(`version 0.0.0-DEV (Server ${TEMPORAL_VERSIONS.devServer},`);
}

async function buildCachedCli(report: Progress): Promise<string> {
  await ensureGoBuild(
    {
      label: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
      cacheName: `temporal-${TEMPORAL_CLI_VERSION}`,
      how: { installArgs: [STAMP_VERSION, `${CLI_MODULE}@v${TEMPORAL_CLI_VERSION}`] },
      binaries: { temporal: 'temporal' },
      isCached: () => isPinnedBuild(temporalCliCachePath()),
      installHint: installHint(),
    },
    report,
  );
  return temporalCliCachePath();
}

async function versionOf(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)(path, ['--version'], { timeout: 15_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

function installHint(): string {
  return [
    'Recoil needs the Temporal CLI for its local dev server, and could not find or build it.',
    `Either install Go >= 1.25 (Recoil then builds the CLI once into ${temporalCliCachePath()}),`,
    'put a Temporal CLI 1.x named `temporal` on your PATH,',
    'or set RECOIL_TEMPORAL_CLI=/absolute/path/to/temporal.',
  ].join('\n');
}
