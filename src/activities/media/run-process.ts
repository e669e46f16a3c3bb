import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { setPriority } from 'node:os';

export interface RunOptions {
  /** Aborting kills the child; the promise settles once it has exited, so callers can clean up its files. */
  signal?: AbortSignal;
  /** stdout beyond this is a bug (a runaway command), not data to keep in memory. */
  maxStdoutBytes?: number;
  /** Where the command runs: lets arguments name scratch files by short relative names. */
  cwd?: string;
  /** Runs at normal priority; otherwise media work yields the CPU to the workflows and the server. */
  personWaits?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

const DEFAULT_MAX_STDOUT_BYTES = 16 * 1024 * 1024;
/** ffmpeg logs a line per frame on long renders; only the end explains a failure. */
const STDERR_TAIL_BYTES = 64 * 1024;
const STDERR_LINES_IN_ERROR = 12;

export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal, maxStdoutBytes = DEFAULT_MAX_STDOUT_BYTES, cwd } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const name = basename(command);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    if (!options.personWaits) yieldTheCpu(child.pid);
    const stdout = boundedHead(maxStdoutBytes);
    const stderr = boundedTail(STDERR_TAIL_BYTES);
    const kill = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', kill, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (!stdout.push(chunk)) kill();
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => {
      signal?.removeEventListener('abort', kill);
      reject(new Error(`Could not start ${name} (${command}): ${err.message}`, { cause: err }));
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', kill);
      if (signal?.aborted) return reject(signal.reason);
      if (stdout.overflowed()) return reject(new Error(`${name} wrote more than ${maxStdoutBytes} bytes to stdout`));
      if (code !== 0) return reject(new Error(exitMessage(name, code, killedBy, stderr.text())));
      resolve({ stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}

/** A nice value for background media work: a slot hand-over must not wait behind a critic's decode. */
const BACKGROUND_NICENESS = 10;

function yieldTheCpu(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, BACKGROUND_NICENESS);
  } catch {
    // Exited already, or not allowed here: it only runs at normal priority.
  }
}

function exitMessage(name: string, code: number | null, killedBy: NodeJS.Signals | null, stderr: string): string {
  const how = code === null ? `was killed by ${killedBy}` : `exited with code ${code}`;
  const lastLines = stderr.trimEnd().split(/\r?\n/).slice(-STDERR_LINES_IN_ERROR).join('\n');
  return lastLines ? `${name} ${how}:\n${lastLines}` : `${name} ${how}`;
}

/** Keeps everything up to a limit and reports when more arrived. */
function boundedHead(limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk: Buffer): boolean {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      return size <= limit;
    },
    overflowed: () => size > limit,
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

/** Keeps only the most recent bytes. */
function boundedTail(limit: number) {
  let kept = Buffer.alloc(0);
  return {
    push(chunk: Buffer): void {
      const joined = Buffer.concat([kept, chunk]);
      kept = joined.length > limit ? joined.subarray(joined.length - limit) : joined;
    },
    text: () => kept.toString('utf8'),
  };
}
