import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../compose-file.js';
import type { ProductionStack } from './production-stack.js';

const run = promisify(execFile);

/** One sequence as `recoil status --json` shows it (the fields the test acts on). */
export interface StatusRow {
  workflowId: string;
  sequenceId: string;
  state: string;
  status?: {
    state: string;
    takes: { take: number; videoPath?: string }[];
    grids: { grid: number }[];
  };
}

/** A person at a terminal: `npx recoil …` from the projects folder, configured by the shell's variables only. */
export async function recoil(stack: ProductionStack, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'bin', 'recoil.mjs'), ...args], {
      cwd: stack.projectsDir,
      env: stack.cliEnv,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`recoil ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

export async function board(stack: ProductionStack, projectId: string, episode: string): Promise<StatusRow[]> {
  const { sequences } = JSON.parse(await recoil(stack, ['status', projectId, '--episode', episode, '--json'])) as { sequences: StatusRow[] };
  return sequences;
}

/**
 * What the demo's director does, through the CLI: picks a quadrant of each start-frame grid and
 * approves each finished take once. Returns the decisions it made this round.
 */
export async function decide(stack: ProductionStack, projectId: string, episode: string, rows: StatusRow[], done: Set<string>): Promise<string[]> {
  const made: string[] = [];
  for (const row of rows) {
    const status = row.status;
    const grid = status?.grids.at(-1);
    if (status?.state === 'frame_review' && grid && !done.has(`${row.sequenceId}:g${grid.grid}`)) {
      done.add(`${row.sequenceId}:g${grid.grid}`);
      await recoil(stack, ['frame', projectId, episode, row.sequenceId, '--grid', String(grid.grid), '--quadrant', '3', '--by', 'deploy-test']);
      made.push(`${row.sequenceId}: quadrant 3 of grid ${grid.grid}`);
    }
    const take = status?.takes.at(-1);
    if (status?.state === 'video_complete' && take && !done.has(`${row.sequenceId}:t${take.take}`)) {
      done.add(`${row.sequenceId}:t${take.take}`);
      await recoil(stack, ['approve', projectId, episode, row.sequenceId, '--take', String(take.take), '--by', 'deploy-test']);
      made.push(`${row.sequenceId}: approved take ${take.take}`);
    }
  }
  return made;
}

/** `temporal workflow list -q …` against the stack, as an operator would filter in the CLI or Web UI. */
export async function listWorkflowIds(stack: ProductionStack, query: string): Promise<string[]> {
  const { stdout } = await run(stack.temporalCli, ['workflow', 'list', '--address', stack.address, '--namespace', stack.namespace, '--query', query, '--output', 'json'], {
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const executions = JSON.parse(stdout || '[]') as { execution: { workflowId: string } }[];
  return executions.map((e) => e.execution.workflowId).sort();
}
