import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/recoil.mjs', import.meta.url));

/** `recoil worker` in a child process that a test can SIGKILL and start again; keeps all its output. */
export class WorkerProcess {
  private child?: ChildProcess;
  /** Created with the child, so an exit that happens before anyone waits for it is not missed. */
  private exited?: Promise<unknown>;
  output = '';
  kills = 0;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The task queue it polls. */
  get taskQueue(): string {
    return this.env.RECOIL_TASK_QUEUE ?? 'recoil';
  }

  /** The running worker's process id: its Temporal identity starts with it. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const child = spawn(process.execPath, [BIN, 'worker'], { env: { ...process.env, NO_COLOR: '1', ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (this.output += d));
    child.stderr!.on('data', (d: Buffer) => (this.output += d));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  /** The crash a test wants: no shutdown, no cleanup, in the middle of whatever it was doing. */
  async kill(): Promise<void> {
    if (await this.signal('SIGKILL')) this.kills++;
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Sends the signal and waits for the exit; false when nothing was running. */
  private async signal(signal: NodeJS.Signals): Promise<boolean> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return false;
    child.kill(signal);
    await this.exited;
    return true;
  }
}
