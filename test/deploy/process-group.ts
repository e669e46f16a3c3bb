import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A long-running program of the stack, started as the leader of its own process group so that
 * stopping it also stops whatever it started (runuser's postgres, postgres' backends, tsx's node).
 */
export interface GroupProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves when the leader exits. */
  exited: Promise<void>;
  hasExited(): boolean;
  /** The signal first (SIGTERM unless told), SIGKILL for whatever is left after the grace period. */
  stop(): Promise<void>;
  /** SIGKILL to the whole group at once: a crash, not a shutdown. */
  crash(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

export interface SpawnGroupOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  cwd?: string;
  /** What asks this program to shut down cleanly (postgres: SIGINT, its "fast" shutdown). */
  stopSignal?: NodeJS.Signals;
  stopGraceMs?: number;
}

const running = new Set<GroupProcess>();
let exitHookInstalled = false;

export async function spawnGroup(opts: SpawnGroupOptions): Promise<GroupProcess> {
  installExitHook();
  const log = await open(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', log.fd, log.fd] });
    await new Promise<void>((spawned, fail) => {
      child.once('spawn', spawned);
      child.once('error', fail);
    });
  } finally {
    await log.close();
  }
  const pid = child.pid!;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const group: GroupProcess = {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    exited,
    hasExited,
    stop: once(async () => {
      await signalGroupAndWait(pid, opts.stopSignal ?? 'SIGTERM', opts.stopGraceMs ?? 15_000);
      running.delete(group);
    }),
    crash: once(async () => {
      await signalGroupAndWait(pid, 'SIGKILL', 5_000);
      running.delete(group);
    }),
    logTail: async (lines = 30) => (await readFile(opts.logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n'),
  };
  running.add(group);
  return group;
}

/** Stops every group still running, newest first (workers before the server before Postgres). */
export async function stopAllGroups(): Promise<void> {
  for (const group of [...running].reverse()) await group.stop();
}

/** True while any process of the group is alive (the leader may be gone while its children linger). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function signalGroupAndWait(pgid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  signalGroup(pgid, signal);
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGKILL');
  while (groupAlive(pgid)) await sleep(100);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

// A test runner killed or interrupted mid-run must not leave a Temporal server or Postgres behind.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of running) signalGroup(group.pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      void stopAllGroups().finally(() => process.kill(process.pid, signal));
    });
  }
}

function once(work: () => Promise<void>): () => Promise<void> {
  let started: Promise<void> | undefined;
  return () => (started ??= work());
}
