import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../compose-file.js';
import type { SequenceRef } from '../../src/contract/activities.js';
import type { SequenceDecision } from '../../src/review/decisions.js';
import { nextDecision, type SequenceView } from '../../src/client/producer.js';
import type { ProductionStack } from './production-stack.js';

const run = promisify(execFile);

/** One sequence as `recoil status --json` shows it (the fields the test acts on). */
interface StatusRow {
  sequenceId: string;
  state: string;
  status?: {
    state: string;
    takes: { take: number; videoPath?: string }[];
    grids: { grid: number }[];
    failure?: string;
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

/** What `recoil status --json` shows of each sequence, in the order asked for; undefined for one not started yet. */
export async function sequencesOnBoard(stack: ProductionStack, projectId: string, episode: string, sequenceIds: readonly string[]): Promise<(SequenceView | undefined)[]> {
  const { sequences } = JSON.parse(await recoil(stack, ['status', projectId, '--episode', episode, '--json'])) as { sequences: StatusRow[] };
  return sequenceIds.map((sequenceId) => {
    const row = sequences.find((r) => r.sequenceId === sequenceId);
    if (!row) return undefined;
    const { status } = row;
    return { sequenceId, state: status?.state ?? row.state, takes: status?.takes ?? [], grids: status?.grids ?? [], ...(status?.failure ? { failure: status.failure } : {}) };
  });
}

/** The producer's decisions as a person types them: `recoil approve|retake|frame`. */
export async function decideThroughCli(stack: ProductionStack, ref: SequenceRef, decision: SequenceDecision, by: string): Promise<void> {
  const sequence = [ref.projectId, ref.episode, ref.sequenceId];
  switch (decision.kind) {
    case 'approve':
      await recoil(stack, ['approve', ...sequence, '--take', String(decision.take), '--by', by, ...(decision.note ? ['--note', decision.note] : [])]);
      return;
    case 'retake':
      await recoil(stack, ['retake', ...sequence, '--note', decision.note, '--by', by, ...Object.entries(decision.shots ?? {}).flatMap(([shot, prompt]) => ['--shot', `${shot}=${prompt}`])]);
      return;
    case 'selectFrame':
      await recoil(stack, ['frame', ...sequence, ...(decision.previous ? ['--from-previous'] : [...(decision.grid === undefined ? [] : ['--grid', String(decision.grid)]), '--quadrant', String(decision.quadrant)]), '--by', by]);
      return;
    case 'regenerateFrames':
      await recoil(stack, ['frame', ...sequence, '--regenerate', '--by', by, ...(decision.prompt ? ['--prompt', decision.prompt] : []), ...(decision.note ? ['--note', decision.note] : [])]);
      return;
  }
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

/**
 * Picks a start frame wherever one is asked for, and approves nothing: returns once every sequence
 * has a finished take waiting for a person (video_complete).
 */
export async function bringToReview(stack: ProductionStack, projectId: string, episode: string, sequenceIds: readonly string[], deadlineMs: number): Promise<void> {
  const policy = { by: 'deploy-test', quadrant: 3 };
  const decided = new Set<string>();
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const views = await sequencesOnBoard(stack, projectId, episode, sequenceIds);
    if (views.every((view) => view?.state === 'video_complete')) return;
    for (const view of views) {
      const next = view && nextDecision(view, policy);
      if (!next || next.decision.kind === 'approve' || decided.has(next.key)) continue;
      decided.add(next.key);
      await decideThroughCli(stack, { projectId, episode, sequenceId: view.sequenceId }, next.decision, policy.by);
    }
    if (Date.now() > deadline) throw new Error(`${projectId}/${episode} did not reach review in time: ${views.map((view, i) => view?.state ?? `#${i + 1} not started`).join(', ')}`);
    await sleep(1_000);
  }
}
