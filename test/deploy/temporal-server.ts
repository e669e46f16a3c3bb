import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ensureGoBuild, isExecutableFile, recoilCacheDir, type Progress } from '../../src/temporal/go-build.js';
import { isServerHealthy } from '../../src/temporal/dev-server.js';
import { TEMPORAL_VERSIONS } from '../../src/temporal/versions.js';
import { REPO_ROOT } from '../compose-file.js';
import { spawnGroup, type GroupProcess } from './process-group.js';

const run = promisify(execFile);
const SERVER_MODULE = 'go.temporal.io/server';
const STARTUP_TIMEOUT_MS = 180_000;

export interface TemporalServerBinaries {
  /** Holds temporal-server and temporal-sql-tool, the names the temporalio images give them. */
  dir: string;
  server: string;
  sqlTool: string;
}

/**
 * The Temporal server and its SQL schema tool at one server version, built from Go modules once and
 * kept in ~/.cache/recoil/temporal-server-<version>/ (the module has no `replace` directive, so
 * `go install …@version` builds it as released).
 */
export async function ensureTemporalServerBinaries(version: string, report: Progress): Promise<TemporalServerBinaries> {
  const cacheName = `temporal-server-${version}`;
  const dir = recoilCacheDir(cacheName);
  const binaries = { dir, server: join(dir, 'temporal-server'), sqlTool: join(dir, 'temporal-sql-tool') };
  await ensureGoBuild(
    {
      label: `the Temporal server ${version} and temporal-sql-tool`,
      cacheName,
      how: { installArgs: [`${SERVER_MODULE}/cmd/server@v${version}`, `${SERVER_MODULE}/cmd/tools/sql@v${version}`] },
      binaries: { server: 'temporal-server', sql: 'temporal-sql-tool' },
      isCached: async () => (await reportsVersion(binaries.server, version)) && (await reportsVersion(binaries.sqlTool, version)),
      installHint: `Building the Temporal server needs Go on PATH, which fetches ${TEMPORAL_VERSIONS.serverGoToolchain} from the module proxy (the build is then cached in ${dir}).`,
      toolchain: TEMPORAL_VERSIONS.serverGoToolchain,
    },
    report,
  );
  return binaries;
}

async function reportsVersion(binary: string, version: string): Promise<boolean> {
  if (!(await isExecutableFile(binary))) return false;
  const { stdout } = await run(binary, ['--version'], { timeout: 15_000 }).catch(() => ({ stdout: '' }));
  return stdout.includes(`version ${version}`);
}

export interface StartTemporalServerOptions {
  binaries: TemporalServerBinaries;
  /** The compose service's environment, with host-specific values (seeds, ports) for this machine. */
  env: Record<string, string>;
  logFile: string;
}

export interface RunningTemporalServer {
  address: string;
  process: GroupProcess;
}

/** `temporal-server start` with deploy/temporal-server/production.yaml, which reads the compose service's variables. */
export async function startTemporalServer(opts: StartTemporalServerOptions): Promise<RunningTemporalServer> {
  const server = await spawnGroup({
    name: 'temporal-server',
    command: opts.binaries.server,
    args: ['--root', join(REPO_ROOT, 'deploy'), '--config', 'temporal-server', '--env', 'production', '--allow-no-auth', 'start'],
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    logFile: opts.logFile,
  });
  const address = `127.0.0.1:${opts.env.FRONTEND_GRPC_PORT ?? '7233'}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await isServerHealthy(address))) {
    if (server.hasExited() || Date.now() > deadline) {
      await server.stop();
      throw new Error(`the Temporal server did not become healthy on ${address}. Log ${opts.logFile}, last lines:\n${(await server.logTail(6)).slice(0, 4000)}`);
    }
    await sleep(500);
  }
  return { address, process: server };
}
