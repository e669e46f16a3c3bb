import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, readFile, rename, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeWorkflowId, sequenceWorkflowId, TASK_QUEUE } from '../../src/domain/ids.js';
import type { DeploymentView } from '../../src/client/read-deployment.js';
import { buildIdOf } from '../../src/worker/build-id.js';
import { DEFAULT_BUNDLE_PATH } from '../../src/worker/workflow-bundle.js';
import { bundleIncompatibleBuild } from '../helpers/incompatible-build.js';
import { s3ClientOf } from '../helpers/s3-server.js';
import { startConsole } from '../../src/console/server.js';
import { storeFromEnv } from '../../src/store/store-from-env.js';
import { filesBelow } from '../../src/store/paths.js';
import type { DeliveryManifest } from '../../src/store/delivery/delivery-manifest.js';
import type { TakeManifest } from '../../src/store/takes/take-manifest.js';
import { actAsProducer } from '../../src/client/producer.js';
import { bringToReview, decideThroughCli, listWorkflowIds, recoil, sequencesOnBoard } from './producer.js';
import { groupAlive, type GroupProcess } from './process-group.js';
import { ensureTools, startProductionStack, type ProductionStack } from './production-stack.js';
import { completedActivities, pollingWorkers, runningActivities, workerIdentity, type RunningActivity } from './worker-activity.js';

const PROJECT = 'driver-beware';
const EPISODE = 'EP001';
const SEQUENCES = ['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04', 'SEQ05'];
const EPISODE_DEADLINE_MS = 20 * 60_000;
// Long enough for a take to be caught in flight when a worker is killed, with this much of it left.
const TAKE_MS = 12_000;
const KILL_MARGIN_MS = 5_000;

const startedAt = Date.now();
const report = (line: string) => console.log(`[deploy ${Math.round((Date.now() - startedAt) / 1000)}s] ${line}`);

let stack: ProductionStack;
let connection: Connection;
let client: Client;
let s3: S3Client;

beforeAll(async () => {
  const tools = await ensureTools(report);
  report('tools ready (Temporal server, temporal-sql-tool, Temporal CLI, PostgreSQL)');
  stack = await startProductionStack({
    tools,
    workerCount: 2,
    workerExtraEnv: { RECOIL_LOCAL_LATENCY_MS: String(TAKE_MS) },
    report,
  });
  report(`stack up: ${stack.workers.map((w) => `${w.name} pid ${w.pid}`).join(', ')}; logs in ${stack.workDir}/logs`);
  connection = await Connection.connect({ address: stack.address });
  s3 = s3ClientOf(stack.s3);
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

  it('starts the workers on the workflow bundle built beforehand, as in the image, as one build of the deployment', async () => {
    // The start line comes once the worker polls and its build is current (the first worker makes it so).
    for (const worker of stack.workers) {
      const log = await eventually(() => worker.logTail(200), (tail) => tail.includes('workflows: '), 60_000);
      expect(log, worker.name).toContain('workflows: prebuilt bundle dist/workflow-bundle.js');
      expect(log, worker.name).toMatch(/build \S+ of deployment recoil \((made current|already current)\)/);
    }
  });

  it('runs an episode to delivery while one worker is killed mid-episode, with the project folder out of the workers\' reach', async () => {
    report(await recoil(stack, ['run', PROJECT, '--episode', EPISODE]));
    // The CLI's machine keeps the project; the workers read the copy `run` put in the bucket.
    const projectFolder = join(stack.projectsDir, PROJECT);
    await rename(projectFolder, `${projectFolder}.on-the-producers-laptop`);
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
    })
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await workerLogs()}`);
      })
      .finally(() => rename(`${projectFolder}.on-the-producers-laptop`, projectFolder));
    expect(killed, 'a worker was killed while it was waiting on a take').toBeDefined();
    const input = (await client.workflow.getHandle(episodeWorkflowId(PROJECT, EPISODE)).fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input;
    expect(JSON.stringify(input?.payloads?.map((p) => Buffer.from(p.data ?? []).toString('utf8')))).toContain(`${stack.artifactsUrl}/.projects/${PROJECT}`);
    expect((await objectsUnder(`${artifactsPrefix()}/.projects/${PROJECT}/`)).length).toBeGreaterThan(0);
    expect(views.map((view) => view.sequenceId).sort()).toEqual(SEQUENCES);
    report('every sequence approved');
  });

  it('delivered the cut into the bucket, whole: every file its manifest lists, at its size and sha256', async () => {
    const result = (await client.workflow.getHandle(episodeWorkflowId(PROJECT, EPISODE)).result()) as { deliveryPath?: string };
    expect(result.deliveryPath).toMatch(new RegExp(`^${stack.artifactsUrl}/${PROJECT}/${EPISODE}/delivery/v\\d{3}/${EPISODE}_cut\\.mp4$`));
    const version = keyOf(result.deliveryPath!).replace(/\/[^/]+$/, '');
    const manifest = JSON.parse(await objectText(`${version}/manifest.json`)) as DeliveryManifest;
    expect(manifest.takes.map((t) => t.sequenceId)).toEqual(SEQUENCES);
    const stored = await objectsUnder(`${version}/`);
    for (const file of manifest.files) {
      const bytes = await objectBytes(`${version}/${file.path}`);
      expect(bytes.length, file.path).toBe(file.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), file.path).toBe(file.sha256);
    }
    expect(manifest.files.map((f) => f.path)).toContain(`${EPISODE}_cut.mp4`);
    expect(stored.filter((key) => !key.endsWith('/.claim')).length).toBe(manifest.files.length + 1);
    const timeline = await objectText(`${version}/timeline.json`);
    for (const sequence of SEQUENCES) expect(timeline).toContain(sequence);
    report(`delivery in the bucket: ${stack.artifactsUrl}/${version.slice(version.indexOf('/') + 1)} (${manifest.files.length} files)`);
  });

  it('paid for every take once: one take.json per take in the bucket, one request each, none submitted again', async () => {
    const manifests = (await objectsUnder(`${artifactsPrefix()}/${PROJECT}/${EPISODE}/`)).filter((key) => /\/takes\/t\d{3}\/take\.json$/.test(key));
    expect(manifests.length).toBeGreaterThanOrEqual(SEQUENCES.length);
    const takes = await Promise.all(manifests.map(async (key) => JSON.parse(await objectText(key)) as TakeManifest));
    for (const take of takes) {
      expect(take.status, `${take.sequenceId} t${take.take}`).toBe('complete');
      expect(take.requestId, `${take.sequenceId} t${take.take}`).toBeTruthy();
      expect(take.resubmissions ?? [], `${take.sequenceId} t${take.take}`).toEqual([]);
      expect(await objectsUnder(`${artifactsPrefix()}/${PROJECT}/${EPISODE}/${take.sequenceId}/takes/t${String(take.take).padStart(3, '0')}/video.mp4`)).toHaveLength(1);
    }
    expect(new Set(takes.map((t) => t.requestId)).size).toBe(takes.length);
    const killedTake = takes.find((t) => t.owner.workflowId === killed!.activity.workflowId);
    expect(killedTake, 'the killed worker\'s take is in the bucket').toBeDefined();
  });

  it('gave each worker a cache of its own: the survivor holds the takes it made, and no artifacts folder is shared', async () => {
    const cacheOf = (worker: GroupProcess) => join(stack.workDir, `cache-${worker.name}`);
    const [first, second] = stack.workers;
    expect(cacheOf(first!)).not.toBe(cacheOf(second!));
    const survivor = stack.workers.find((worker) => worker !== killed!.worker)!;
    const made = await filesBelow(join(cacheOf(survivor), 'files')).catch(() => []);
    expect(made.some((file) => file.endsWith('/video.mp4')), `${survivor.name} made takes in its own cache`).toBe(true);
  });

  it('plays every take in the console, streamed from the bucket with byte ranges', async () => {
    const store = storeFromEnv({ ...stack.cliEnv, RECOIL_ARTIFACTS_DIR: join(stack.workDir, 'cache-console') });
    const running = await startConsole({ client, connection, namespace: stack.namespace, store, port: 0 });
    try {
      const views = await sequencesOnBoard(stack, PROJECT, EPISODE, SEQUENCES);
      let played = 0;
      for (const view of views) {
        for (const { take } of view!.takes) {
          const url = `${running.url}/media/take/${PROJECT}/${EPISODE}/${view!.sequenceId}/${take}/video`;
          const head = await fetch(url, { headers: { range: 'bytes=0-1023' } });
          expect(head.status, url).toBe(206);
          expect(head.headers.get('content-type')).toBe('video/mp4');
          const total = Number(head.headers.get('content-range')!.split('/')[1]);
          expect((await head.arrayBuffer()).byteLength).toBe(1024);
          const whole = await fetch(url);
          expect(whole.status).toBe(200);
          expect((await whole.arrayBuffer()).byteLength).toBe(total);
          const frame = await fetch(`${running.url}/media/take/${PROJECT}/${EPISODE}/${view!.sequenceId}/${take}/first-frame`);
          expect(frame.headers.get('content-type')).toBe('image/jpeg');
          played++;
        }
      }
      report(`the console played ${played} takes from ${stack.artifactsUrl}`);
    } finally {
      await running.close();
    }
  });

  it("served Prometheus metrics from its live workers, as compose's RECOIL_METRICS_ADDRESS asks: Recoil's takes and the SDK's telemetry", async () => {
    const scrapes = await Promise.all(
      stack.workers.filter((worker) => groupAlive(worker.pid)).map(async (worker) => (await (await fetch(stack.metricsUrlOf(worker.name)!)).text()).split('\n')),
    );
    const lines = scrapes.flat();
    const finished = lines
      .filter((l) => l.startsWith('recoil_takes_total{') && l.includes(`project="${PROJECT}"`) && l.includes('outcome="finished"'))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(finished).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.startsWith('temporal_workflow_completed_total{'))).toBe(true);
    report(`metrics scraped from ${scrapes.length} live worker(s): ${finished} finished takes counted`);
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

  /** SIGKILL for a worker in the middle of waiting on a take, once it has already finished some work. */
  async function killAWorkerHoldingATake(): Promise<{ worker: GroupProcess; activity: RunningActivity } | undefined> {
    const running = await runningActivities(client);
    const completed = await completedActivities(client);
    for (const worker of stack.workers) {
      const identity = workerIdentity(worker.pid);
      const holding = running.filter((activity) => activity.identity === identity);
      // A take with seconds left is still running when the kill lands, however slow this round was.
      const take = holding.find((activity) => activity.type === 'awaitProviderJob' && activity.startedAt !== undefined && Date.now() - activity.startedAt.getTime() < TAKE_MS - KILL_MARGIN_MS);
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

describe('rolling out an incompatible build under sequences waiting on a director, then rolling back', () => {
  const waitingProject = 'driver-beware-waiting';
  const freshProject = 'driver-beware-fresh';
  const rollbackProject = 'driver-beware-rollback';
  let buildA: string;
  let buildB: string;
  const buildBWorkers: GroupProcess[] = [];

  beforeAll(async () => {
    for (const project of [waitingProject, freshProject, rollbackProject]) await copyProject(PROJECT, project);
    buildA = buildIdOf(await readFile(DEFAULT_BUNDLE_PATH, 'utf8'));
    buildB = buildIdOf(await readFile(await bundleIncompatibleBuild(join(stack.workDir, 'build-b')), 'utf8'));
    report(`build A ${buildA} (the image's bundle), build B ${buildB} (one extra step at the start of every sequence and episode)`);
  });

  it('runs a new episode on A until every sequence waits for a director', async () => {
    expect((await deployStatus()).current).toBe(buildA);
    report(await recoil(stack, ['run', waitingProject, '--episode', EPISODE]));
    await bringToReview(stack, waitingProject, EPISODE, SEQUENCES, EPISODE_DEADLINE_MS);
    for (const id of workflowIdsOf(waitingProject)) expect(await buildOf(id), id).toBe(buildA);
    report(`${waitingProject}: all ${SEQUENCES.length} sequences at video_complete on ${buildA}`);
  });

  it('rolls B out beside A (worker-rollout): it polls, but takes nothing until it is promoted', async () => {
    buildBWorkers.push(await stack.startWorker('worker-rollout', 'worker-b', { RECOIL_WORKFLOW_BUNDLE: join(stack.workDir, 'build-b', 'build-b.js') }));
    const status = await eventually(deployStatus, (s) => s.builds.some((b) => b.buildId === buildB), 120_000);
    expect(status.builds.map((b) => b.buildId)).toContain(buildB);
    expect(status.current).toBe(buildA);
    report(await recoil(stack, ['deploy', 'status']));
    report(await recoil(stack, ['deploy', 'promote', buildB]));
    expect((await deployStatus()).current).toBe(buildB);
  });

  it('approves the waiting sequences on A while a new episode runs on B: both deliver', async () => {
    report(await recoil(stack, ['run', freshProject, '--episode', EPISODE]));
    const direct = (projectId: string) =>
      actAsProducer({
        projectId,
        episode: EPISODE,
        sequenceIds: SEQUENCES,
        policy: { by: 'deploy-test', quadrant: 3 },
        watch: () => sequencesOnBoard(stack, projectId, EPISODE, SEQUENCES),
        send: (ref, decision, by) => decideThroughCli(stack, ref, decision, by),
        pollMs: 1_000,
        deadlineMs: EPISODE_DEADLINE_MS,
      });
    await Promise.all([direct(waitingProject), direct(freshProject)]);
    for (const project of [waitingProject, freshProject]) {
      const result = (await client.workflow.getHandle(episodeWorkflowId(project, EPISODE)).result()) as { deliveryPath?: string };
      expect(result.deliveryPath, project).toBeTruthy();
    }
  });

  it('ran every workflow of the waiting episode on A and of the new one on B, with no nondeterminism anywhere', async () => {
    const rows: string[] = [];
    for (const [project, build] of [[waitingProject, buildA], [freshProject, buildB]] as const) {
      for (const id of workflowIdsOf(project)) {
        const ran = await buildOf(id);
        rows.push(`${id.padEnd(40)} ${ran}`);
        expect(ran, id).toBe(build);
        expect(await failedWorkflowTasks(id), id).toEqual([]);
      }
    }
    report(`which build ran each workflow:\n${rows.join('\n')}`);
    const { events } = await client.workflow.getHandle(sequenceIdOf(freshProject, 'SEQ01')).fetchHistory();
    expect(events?.some((event) => event.timerStartedEventAttributes), 'B took its extra step').toBe(true);
    for (const worker of [...stack.workers, ...buildBWorkers]) expect(await worker.logTail(2_000), worker.name).not.toMatch(/nondetermin/i);
  });

  it('drains A once its last pinned workflow closes; its workers then stop', async () => {
    const drained = await eventually(deployStatus, (s) => s.builds.find((b) => b.buildId === buildA)?.status === 'drained', 5 * 60_000);
    const a = drained.builds.find((b) => b.buildId === buildA)!;
    expect(a.status).toBe('drained');
    expect(a.open).toEqual([]);
    report(await recoil(stack, ['deploy', 'status']));
    for (const worker of stack.workers.filter((w) => !w.hasExited())) await worker.stop();
    report('build A drained; its workers stopped');
  });

  it('rolls back in one step: A is current again and new episodes start on it', async () => {
    stack.workers.push(await stack.startWorker('worker', 'worker-a-again', { RECOIL_DEPLOYMENT_PROMOTE: 'never' }));
    report(await recoil(stack, ['deploy', 'rollback']));
    expect((await deployStatus()).current).toBe(buildA);
    report(await recoil(stack, ['run', rollbackProject, '--episode', EPISODE]));
    const episode = episodeWorkflowId(rollbackProject, EPISODE);
    expect(await eventually(() => buildOf(episode), (build) => build !== undefined, 60_000)).toBe(buildA);
    await recoil(stack, ['cancel', rollbackProject, EPISODE]);
  });

  async function deployStatus(): Promise<DeploymentView> {
    return JSON.parse(await recoil(stack, ['deploy', 'status', '--json'])) as DeploymentView;
  }
});

function artifactsPrefix(): string {
  return keyOf(`${stack.artifactsUrl}/`).replace(/\/$/, '');
}

/** s3://bucket/key → key */
function keyOf(location: string): string {
  return location.slice(`s3://${stack.s3.bucket}/`.length);
}

async function objectBytes(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: stack.s3.bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

async function objectText(key: string): Promise<string> {
  return (await objectBytes(key)).toString('utf8');
}

async function objectsUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: stack.s3.bucket, Prefix: prefix, ContinuationToken }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

/**
 * The example under another id, every sequence on its own: here all of them must wait for a
 * director at once, so none may wait for another's approval (the example chains SEQ03 to SEQ02).
 */
async function copyProject(from: string, to: string): Promise<void> {
  await cp(join(stack.projectsDir, from), join(stack.projectsDir, to), { recursive: true });
  const manifestPath = join(stack.projectsDir, to, 'project.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { id: string };
  await writeFile(manifestPath, JSON.stringify({ ...manifest, id: to }, null, 2));
  const planPath = join(stack.projectsDir, to, 'plans', 'ep_001_plan.json');
  const plan = JSON.parse(await readFile(planPath, 'utf8')) as { sequences: { start_frame?: { previous?: boolean } }[] };
  for (const sequence of plan.sequences) if (sequence.start_frame?.previous) delete sequence.start_frame;
  await writeFile(planPath, JSON.stringify(plan, null, 2));
}

function workflowIdsOf(projectId: string): string[] {
  return [episodeWorkflowId(projectId, EPISODE), ...SEQUENCES.map((sequence) => sequenceIdOf(projectId, sequence))];
}

function sequenceIdOf(projectId: string, sequence: string): string {
  return sequenceWorkflowId(projectId, EPISODE, sequence);
}

/** The build a workflow's tasks go to, as the server records it. */
async function buildOf(workflowId: string): Promise<string | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId ?? undefined;
}

async function failedWorkflowTasks(workflowId: string): Promise<string[]> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? []).flatMap((event) => (event.workflowTaskFailedEventAttributes ? [event.workflowTaskFailedEventAttributes.failure?.message ?? 'a workflow task failed'] : []));
}

describe('shutting down', () => {
  it('stops everything it started', async () => {
    const groups = [stack.postgres.process, stack.server, stack.s3.process, ...stack.workers];
    const folders = [stack.workDir, stack.postgres.folder];
    const ports = [stack.postgres.port, Number(stack.address.split(':')[1]), Number(new URL(stack.s3.endpoint).port)];
    await connection.close();
    await stack.stop();
    for (const group of groups) expect(groupAlive(group.pid), `${group.name} (process group ${group.pid})`).toBe(false);
    for (const port of ports) expect(await acceptsConnections(port), `port ${port}`).toBe(false);
    for (const folder of folders) expect(existsSync(folder), folder).toBe(false);
  });

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
