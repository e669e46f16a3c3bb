import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeWorkflowId, TASK_QUEUE } from '../../src/domain/ids.js';
import { actAsProducer } from '../../src/client/producer.js';
import { decideThroughCli, listWorkflowIds, recoil, sequencesOnBoard } from './producer.js';
import { groupAlive, type GroupProcess } from './process-group.js';
import { ensureTools, startProductionStack, type ProductionStack } from './production-stack.js';
import { completedActivities, pollingWorkers, runningActivities, workerIdentity, type RunningActivity } from './worker-activity.js';

const PROJECT = 'driver-beware';
const EPISODE = 'EP001';
const SEQUENCES = ['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04', 'SEQ05'];
const EPISODE_DEADLINE_MS = 20 * 60_000;

const startedAt = Date.now();
const report = (line: string) => console.log(`[deploy ${Math.round((Date.now() - startedAt) / 1000)}s] ${line}`);

let stack: ProductionStack;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  const tools = await ensureTools(report);
  report('tools ready (Temporal server, temporal-sql-tool, Temporal CLI, PostgreSQL)');
  stack = await startProductionStack({
    tools,
    workerCount: 2,
    // Long enough for a take to be caught in flight when a worker is killed.
    workerExtraEnv: { RECOIL_LOCAL_LATENCY_MS: '8000' },
    report,
  });
  report(`stack up: ${stack.workers.map((w) => `${w.name} pid ${w.pid}`).join(', ')}; logs in ${stack.workDir}/logs`);
  connection = await Connection.connect({ address: stack.address });
  client = new Client({ connection, namespace: stack.namespace });
  await waitForWorkersToPoll();
  report('both workers poll the task queue');
});

afterAll(async () => {
  await connection?.close();
  await stack?.stop();
});

describe('the production stack, natively: Temporal on Postgres, two workers, the CLI', () => {
  let killed: { worker: GroupProcess; activity: RunningActivity } | undefined;

  it('starts the workers on the workflow bundle built beforehand, as in the image', async () => {
    for (const worker of stack.workers) expect(await worker.logTail(200), worker.name).toContain('workflows: prebuilt bundle dist/workflow-bundle.js');
  });

  it('runs an episode to delivery while one worker is killed mid-episode', async () => {
    report(await recoil(stack, ['run', PROJECT, '--episode', EPISODE]));
    const views = await actAsProducer({
      projectId: PROJECT,
      episode: EPISODE,
      sequenceIds: SEQUENCES,
      policy: { by: 'deploy-test', quadrant: 3 },
      watch: () => sequencesOnBoard(stack, PROJECT, EPISODE, SEQUENCES),
      send: (ref, decision, by) => decideThroughCli(stack, ref, decision, by),
      onDecision: (view, decision) => report(`${view.sequenceId}: ${JSON.stringify(decision)}`),
      everyRound: async () => {
        killed ??= await killAWorkerHoldingATake();
      },
      pollMs: 1_000,
      deadlineMs: EPISODE_DEADLINE_MS,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await workerLogs()}`);
    });
    expect(killed, 'a worker was killed while it was waiting on a take').toBeDefined();
    expect(views.map((view) => view.sequenceId).sort()).toEqual(SEQUENCES);
    report('every sequence approved');
  });

  it('delivered the cut', async () => {
    const result = (await client.workflow.getHandle(episodeWorkflowId(PROJECT, EPISODE)).result()) as { deliveryPath?: string };
    expect(result.deliveryPath).toBeTruthy();
    expect((await stat(result.deliveryPath!)).size).toBeGreaterThan(0);
    const timeline = await readFile(join(result.deliveryPath!, '..', 'timeline.json'), 'utf8');
    for (const sequence of SEQUENCES) expect(timeline).toContain(sequence);
    expect(result.deliveryPath!.startsWith(stack.artifactsDir)).toBe(true);
  });

  it('filters workflows by the Recoil search attributes on Postgres visibility', async () => {
    const approved = await eventually(() => listWorkflowIds(stack, 'RecoilState="approved"'), (ids) => ids.length === SEQUENCES.length);
    expect(approved).toEqual(SEQUENCES.map((sequence) => `${PROJECT}/${EPISODE}/${sequence}`));
    expect(await listWorkflowIds(stack, `RecoilProject="${PROJECT}" AND RecoilState="delivered"`)).toEqual([`${PROJECT}/${EPISODE}`]);
    expect(await listWorkflowIds(stack, `RecoilSequence="SEQ03" AND RecoilCostUsd >= 0`)).toEqual([`${PROJECT}/${EPISODE}/SEQ03`]);
  });

  it('shared the work between both workers, and the survivor finished the killed worker\'s take', async () => {
    const completions = await completedActivities(client);
    for (const worker of stack.workers) {
      expect(completions.filter((c) => c.identity === workerIdentity(worker.pid)).length, `${worker.name} completed activities`).toBeGreaterThan(0);
    }
    const { worker, activity } = killed!;
    const resumed = completions.find((c) => c.workflowId === activity.workflowId && c.activityId === activity.activityId);
    expect(resumed, `${activity.type} ${activity.activityId} of ${activity.workflowId} completed`).toBeDefined();
    expect(resumed!.identity).not.toBe(workerIdentity(worker.pid));
    expect(resumed!.attempt).toBeGreaterThan(1);
  });

  it('stops everything it started', async () => {
    const groups = [stack.postgres.process, stack.server, ...stack.workers];
    const folders = [stack.workDir, stack.postgres.folder];
    const ports = [stack.postgres.port, Number(stack.address.split(':')[1])];
    await connection.close();
    await stack.stop();
    for (const group of groups) expect(groupAlive(group.pid), `${group.name} (process group ${group.pid})`).toBe(false);
    for (const port of ports) expect(await acceptsConnections(port), `port ${port}`).toBe(false);
    for (const folder of folders) expect(existsSync(folder), folder).toBe(false);
  });

  /** SIGKILL for a worker in the middle of waiting on a take, once it has already finished some work. */
  async function killAWorkerHoldingATake(): Promise<{ worker: GroupProcess; activity: RunningActivity } | undefined> {
    const running = await runningActivities(client);
    const completed = await completedActivities(client);
    for (const worker of stack.workers) {
      const identity = workerIdentity(worker.pid);
      const holding = running.filter((activity) => activity.identity === identity);
      const take = holding.find((activity) => activity.type === 'awaitProviderJob');
      // A killed grid call is only retried after its 5-minute timeout: wait for a moment without one.
      const slowToRecover = holding.some((activity) => activity.type === 'executeGridExploration');
      if (!take || slowToRecover || !completed.some((c) => c.identity === identity)) continue;
      await worker.crash();
      report(`SIGKILL ${worker.name} (pid ${worker.pid}) while it waited on ${take.workflowId} (${take.type}, activity ${take.activityId})`);
      return { worker, activity: take };
    }
    return undefined;
  }
});

// Workers bundle or load the workflow code before they poll; the episode is started once both do.
async function waitForWorkersToPoll(): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const polling = await pollingWorkers(client, TASK_QUEUE);
    if (stack.workers.every((worker) => polling.includes(workerIdentity(worker.pid)))) return;
    const exited = stack.workers.find((worker) => worker.hasExited());
    if (exited || Date.now() > deadline) throw new Error(`${exited ? `${exited.name} exited` : 'the workers did not poll in time'}\n${await workerLogs()}`);
    await sleep(1_000);
  }
}

async function workerLogs(): Promise<string> {
  const tails = await Promise.all(stack.workers.map(async (worker) => `--- ${worker.name}\n${await worker.logTail(20)}`));
  return tails.join('\n');
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(1_000);
  }
}

async function acceptsConnections(port: number): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port });
  const connected = await new Promise<boolean>((settle) => {
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
  socket.destroy();
  return connected;
}
