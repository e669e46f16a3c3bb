import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { approveSignal } from '../src/contract/sequence.js';
import { buildIdOf } from '../src/worker/build-id.js';
import { renderFixtureVideo } from './helpers/fixture-video.js';
import { GatedProvider } from './helpers/gated-provider.js';
import { bundleIncompatibleBuild } from './helpers/incompatible-build.js';
import { startHarness, startSequence, waitForStatus, type Harness } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';
import { tempFolders } from './helpers/temp-folders.js';
import { makeUnit } from './helpers/units.js';
import type { WorkflowHandle } from '@temporalio/client';

// A deployment of this file's own: promoting build B here must not move the rest of the suite's workers.
const DEPLOYMENT = `recoil-versioning-${randomUUID().slice(0, 8)}`;
const taskQueue = `test-versioning-${randomUUID()}`;
const tempFolder = tempFolders('recoil-versioning-');
const cliEnv = () => ({ TEMPORAL_ADDRESS: inject('temporalAddress'), RECOIL_DEPLOYMENT: DEPLOYMENT });

let gate: GatedProvider;
let buildA: Harness;
let buildB: Harness | undefined;
let bundleB: string;
let idA: string;
let idB: string;

beforeAll(async () => {
  gate = new GatedProvider(await renderFixtureVideo());
  bundleB = await bundleIncompatibleBuild(await tempFolder());
  idA = buildIdOf(await readFile(inject('workflowBundlePath'), 'utf8'));
  idB = buildIdOf(await readFile(bundleB, 'utf8'));
  buildA = await startHarness({ local: gate.provider('local') }, taskQueue, undefined, undefined, undefined, { deployment: { name: DEPLOYMENT, promote: 'always' } });
}, 180_000);

afterAll(async () => {
  await buildB?.stop();
  await buildA?.stop();
});

async function buildOf(handle: WorkflowHandle): Promise<string | undefined> {
  return (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId ?? undefined;
}

async function failedTasks(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((event) => (event.workflowTaskFailedEventAttributes ? [event.workflowTaskFailedEventAttributes.failure?.message ?? 'failed'] : []));
}

async function deployStatus(): Promise<{ current?: string; builds: { buildId: string; status: string; open: { workflowId: string }[] }[] }> {
  const { code, stdout, stderr } = await runCli(['deploy', 'status', '--json'], cliEnv());
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout);
}

describe('worker versioning: a sequence waiting on a person finishes on the build that started it', () => {
  let waiting: WorkflowHandle;
  let waitingUnit: ReturnType<typeof makeUnit>;

  it('runs a new sequence on the current build, pinned to it', async () => {
    expect(idB).not.toBe(idA);
    waitingUnit = makeUnit();
    waiting = await startSequence(buildA, waitingUnit);
    gate.open(waitingUnit);
    await waitForStatus(waiting, (s) => s.state === 'video_complete');
    expect(await buildOf(waiting)).toBe(idA);
    expect((await handleDescription(waiting)).behavior).toBe(1);
  });

  it('rolls out an incompatible build beside it: the rollout waits for `recoil deploy promote`', async () => {
    buildB = await startHarness({ local: gate.provider('local') }, taskQueue, buildA.artifactsRoot, undefined, undefined, {
      deployment: { name: DEPLOYMENT, promote: 'never' },
      workflows: { options: { workflowBundle: { codePath: bundleB } }, description: 'build B' },
    });
    const before = await eventuallyStatus((s) => s.builds.some((b) => b.buildId === idB));
    expect(before.current).toBe(idA);
    expect(before.builds.find((b) => b.buildId === idA)!.open.map((o) => o.workflowId), JSON.stringify(before)).toContain(waiting.workflowId);
    const promoted = await runCli(['deploy', 'promote'], cliEnv());
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toContain(`${idB} is current`);
    expect((await deployStatus()).current).toBe(idB);
    const status = await runCli(['status', waitingUnit.projectId], cliEnv());
    expect(status.stdout).toContain(`Workers: build ${idB} of deployment ${DEPLOYMENT} takes new work; ${idA} draining`);
  });

  it('approves the waiting sequence after the rollout: it finishes on A, with no task failing', async () => {
    await waiting.signal(approveSignal, { take: 1, by: 'director' });
    expect((await waiting.result()).state).toBe('approved');
    expect(await buildOf(waiting)).toBe(idA);
    expect(await failedTasks(waiting)).toEqual([]);
  });

  it('starts new sequences on B, which takes the step A never had', async () => {
    const unit = makeUnit();
    const fresh = await startSequence(buildA, unit);
    gate.open(unit);
    await waitForStatus(fresh, (s) => s.state === 'video_complete');
    expect(await buildOf(fresh)).toBe(idB);
    const { events } = await fresh.fetchHistory();
    expect(events?.some((event) => event.timerStartedEventAttributes)).toBe(true);
    await fresh.signal(approveSignal, { take: 1, by: 'director' });
    expect((await fresh.result()).state).toBe('approved');
  });

  it('B really is incompatible: A\'s history fails to replay on it', async () => {
    const history = await waiting.fetchHistory();
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: bundleB } }, history)).rejects.toThrow(/[Nn]ondeterminism|DeterminismViolation/);
  });

  it('rolls back in one step: A is current again and takes new work', async () => {
    const rolledBack = await runCli(['deploy', 'rollback'], cliEnv());
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain(`${idA} is current`);
    const unit = makeUnit();
    const again = await startSequence(buildA, unit);
    gate.open(unit);
    await waitForStatus(again, (s) => s.state === 'video_complete');
    expect(await buildOf(again)).toBe(idA);
    await again.signal(approveSignal, { take: 1, by: 'director' });
    await again.result();
  });

  it('refuses to promote a build the deployment does not have, naming the ones it has', async () => {
    const refused = await runCli(['deploy', 'promote', '0.0.0-nosuchbuild'], cliEnv());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(idA);
  });
});

describe('worker deployment settings', () => {
  it('refuses a promote policy or deployment name it cannot use, before connecting: exit 2, naming the variable and the fix', async () => {
    const policy = await runCli(['worker'], { ...cliEnv(), RECOIL_DEPLOYMENT_PROMOTE: 'sometimes' });
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain('RECOIL_DEPLOYMENT_PROMOTE is "sometimes": set it to one of always, if-none, never');
    const name = await runCli(['deploy', 'status'], { ...cliEnv(), RECOIL_DEPLOYMENT: 'recoil.v2' });
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('a deployment name may not contain "." or ":"');
  });
});

async function handleDescription(handle: WorkflowHandle): Promise<{ behavior?: number | null }> {
  return { behavior: (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo?.behavior };
}

async function eventuallyStatus(done: (s: Awaited<ReturnType<typeof deployStatus>>) => boolean, timeoutMs = 60_000): Promise<Awaited<ReturnType<typeof deployStatus>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await deployStatus();
    if (done(status) || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
