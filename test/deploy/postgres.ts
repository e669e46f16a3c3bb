import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isExecutableFile, type Progress } from '../../src/temporal/go-build.js';
import { spawnGroup, type GroupProcess } from './process-group.js';

const run = promisify(execFile);
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';
const STARTUP_TIMEOUT_MS = 60_000;

export interface Postgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The temporary folder holding the cluster (removed by stop). */
  folder: string;
  process: GroupProcess;
  stop(): Promise<void>;
}

/** Debian's server binaries (/usr/lib/postgresql/<major>/bin), installed with apt-get when missing (needs root). */
export async function ensurePostgres(report: Progress): Promise<string> {
  const installed = await installedPostgresBin();
  if (installed) return installed;
  if (process.getuid?.() !== 0) {
    throw new Error('PostgreSQL is not installed and installing it needs root: run `sudo apt-get install -y postgresql`, then run the deploy test again.');
  }
  report('installing Debian\'s postgresql package with apt-get (first run only)');
  await aptInstall(['postgresql']);
  await stopClustersStartedByInstall();
  const bin = await installedPostgresBin();
  if (!bin) throw new Error(`apt-get installed postgresql, but no server binary exists under ${DEBIAN_POSTGRES_ROOT}/<version>/bin`);
  return bin;
}

export interface StartPostgresOptions {
  bin: string;
  port: number;
  user: string;
  password: string;
  logFile: string;
}

/**
 * A throwaway cluster in a temporary folder, listening on loopback TCP only, with a password-protected
 * superuser, as the postgres image makes one from POSTGRES_USER / POSTGRES_PASSWORD.
 */
export async function startPostgres(opts: StartPostgresOptions): Promise<Postgres> {
  const folder = await mkdtemp(join(tmpdir(), 'recoil-deploy-postgres-'));
  const owner = await clusterOwner();
  const dataDir = join(folder, 'data');
  const pwFile = join(folder, 'password');
  await writeFile(pwFile, `${opts.password}\n`, { mode: 0o600 });
  if (owner) {
    await chown(folder, owner.uid, owner.gid);
    await chown(pwFile, owner.uid, owner.gid);
  }
  const asOwner = owner ? ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--init-groups', '--'] : [];
  const [command, ...prefix] = [...asOwner, join(opts.bin, 'initdb')];
  await run(command!, [...prefix, '-D', dataDir, '-U', opts.user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], { cwd: folder });

  const [server, ...serverPrefix] = [...asOwner, join(opts.bin, 'postgres')];
  const postgres = await spawnGroup({
    name: 'postgres',
    command: server!,
    args: [...serverPrefix, '-D', dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    cwd: folder,
    env: process.env,
    logFile: opts.logFile,
    stopSignal: 'SIGINT', // "fast" shutdown: no waiting for clients that are already gone
  });
  const stop = async () => {
    await postgres.stop();
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(opts, postgres);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: '127.0.0.1', port: opts.port, user: opts.user, password: opts.password, folder, process: postgres, stop };
}

async function waitUntilReady(opts: StartPostgresOptions, postgres: GroupProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (postgres.hasExited()) throw new Error(`postgres exited before accepting connections:\n${await postgres.logTail()}`);
    const ready = await run(join(opts.bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(opts.port), '-U', opts.user]).then(
      () => true,
      () => false,
    );
    if (ready) return;
    await sleep(250);
  }
  throw new Error(`postgres did not accept connections on port ${opts.port} within ${STARTUP_TIMEOUT_MS / 1000}s:\n${await postgres.logTail()}`);
}

// Postgres refuses to run as root, so root runs it as the package's `postgres` account.
async function clusterOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout } = await run('getent', ['passwd', 'postgres']).catch(() => {
    throw new Error('running as root, but there is no `postgres` account to run PostgreSQL as (Debian\'s postgresql package creates it)');
  });
  const [, , uid, gid] = stdout.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function installedPostgresBin(): Promise<string | undefined> {
  const majors = (await readdir(DEBIAN_POSTGRES_ROOT).catch(() => [] as string[]))
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(DEBIAN_POSTGRES_ROOT, major, 'bin');
    if ((await isExecutableFile(join(bin, 'postgres'))) && (await isExecutableFile(join(bin, 'initdb')))) return bin;
  }
  return undefined;
}

// Package lists may be missing or stale on a fresh machine: refresh them once if the first try fails.
async function aptInstall(packages: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, maxBuffer: 64 * 1024 * 1024 });
  await install().catch(async () => {
    await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
    await install();
  });
}

// On machines with a service manager the package starts its default cluster; the test only wants binaries.
async function stopClustersStartedByInstall(): Promise<void> {
  const { stdout } = await run('pg_lsclusters', ['--no-header']).catch(() => ({ stdout: '' }));
  for (const line of stdout.split('\n')) {
    const [version, cluster, , status] = line.trim().split(/\s+/);
    if (version && cluster && status === 'online') await run('pg_ctlcluster', [version, cluster, 'stop']);
  }
}
