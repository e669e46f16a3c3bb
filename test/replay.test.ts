import { randomUUID } from 'node:crypto';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runProcess } from '../src/activities/media/run-process.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { setBudgetUpdate, type EpisodeInput } from '../src/contract/episode.js';
import { approveSignal, approveUpdate, decisionRefusedSignal, noteSignal, noteUpdate, regenerateFramesUpdate, retakeUpdate, selectFrameUpdate } from '../src/contract/sequence.js';
import { VERSIONING_BEHAVIOR, type RecoilWorkflowType } from '../src/contract/deployment.js';
import { accountGateWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import { buildIdOf } from '../src/worker/build-id.js';
import { RECOIL_VERSION } from '../src/install/package-root.js';
import { ensureTemporalCli } from '../src/temporal/cli-binary.js';
import { renderFixtureVideo } from './helpers/fixture-video.js';
import { GatedProvider } from './helpers/gated-provider.js';
import { refusals, startHarness, startSequence, waitForStatus, type Harness } from './helpers/harness.js';
import { makeUnit } from './helpers/units.js';
import { bundleIncompatibleBuild } from './helpers/incompatible-build.js';
import { tempFolders } from './helpers/temp-folders.js';

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * Every release keeps the histories it recorded in test/fixtures/histories/<release>/ (RECORD_HISTORY=1,
 * `npm run record:histories`, writes the scenarios below into the folder of the package version, once)
 * and they are never recorded again, so later code is checked against histories it did not write.
 * A versioned release also keeps its workflow bundle, the build its pinned workflows stay on:
 * auto-upgrade workflows (and every workflow of a release before versioning) move to today's build and
 * must replay on today's code; pinned ones must replay on their own build.
 */
const HISTORIES = fileURLToPath(new URL('./fixtures/histories/', import.meta.url));
const RELEASE = RECOIL_VERSION;
const BUNDLE_FILE = 'workflow-bundle.js.gz';
const tempFolder = tempFolders('recoil-replay-');

/** test/fixtures/histories/<release>/release.json */
interface ReleaseManifest {
  versioned: boolean;
  /** The build its pinned workflows stay on: the release and the hash of the bundle kept beside it. */
  buildId?: string;
}

let harness: Harness;
let gate: GatedProvider;
beforeAll(async () => {
  gate = new GatedProvider(await renderFixtureVideo(), 0);
  harness = await startHarness({ local: gate.provider('local'), fal: gate.provider('fal') });
});
afterAll(async () => harness?.stop());

async function replaysAndIsKept(name: string, handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history)).resolves.toBeUndefined();
  if (!process.env.RECORD_HISTORY) return;
  const file = join(HISTORIES, RELEASE, `${name}.json`);
  if (await exists(file)) return;
  await keepThisBuild();
  const args = ['workflow', 'show', '-w', handle.workflowId, '-o', 'json', '--address', inject('temporalAddress')];
  const { stdout } = await runProcess(await ensureTemporalCli(), args);
  await writeFile(file, stdout);
}

// The bundle these histories were recorded on is the build that pins them: kept once, beside them.
async function keepThisBuild(): Promise<void> {
  const folder = join(HISTORIES, RELEASE);
  if (await exists(join(folder, 'release.json'))) return;
  const code = await readFile(inject('workflowBundlePath'));
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, BUNDLE_FILE), gzipSync(code, { level: 9 }));
  const manifest: ReleaseManifest = { versioned: true, buildId: buildIdOf(code.toString('utf8')) };
  await writeFile(join(folder, 'release.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** A kept build's bundle, checked to be the very build its release.json names. */
async function keptBuild(release: string, manifest: ReleaseManifest): Promise<string> {
  const code = gunzipSync(await readFile(join(HISTORIES, release, BUNDLE_FILE))).toString('utf8');
  const builtAs = buildIdOf(code, release);
  if (builtAs !== manifest.buildId) throw new Error(`test/fixtures/histories/${release}/${BUNDLE_FILE} is build ${builtAs}, but release.json says ${manifest.buildId}`);
  return code;
}

const by = (name: string) => ({ by: name, requestId: `r-${randomUUID().slice(0, 8)}` });

describe('recorded histories', () => {
  it('the frame stage: new options with an edited prompt, a pick, an approval', async () => {
    const handle = await startSequence(harness, makeUnit({ startFrame: { kind: 'prompt', prompt: 'Rain-soaked highway at night' } }));
    await waitForStatus(handle, (s) => s.state === 'frame_review');
    await handle.executeUpdate(regenerateFramesUpdate, { args: [{ ...by('dir'), prompt: 'Foggy highway at dawn' }] });
    await waitForStatus(handle, (s) => s.state === 'frame_review' && s.grids.length === 2);
    await handle.executeUpdate(selectFrameUpdate, { args: [{ ...by('dir'), grid: 1, quadrant: 3 }] });
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    await handle.executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 1 }] });
    await handle.result();
    await replaysAndIsKept('sequence-frame-stage', handle);
  });

  it('a refused decision, by signal and by update, then an approval', async () => {
    const handle = await startSequence(harness, makeUnit());
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    await handle.signal(approveSignal, { ...by('typo'), take: 9 });
    const refusedUpdate = { ...by('typo'), take: 8 };
    await expect(handle.executeUpdate(approveUpdate, { args: [refusedUpdate] })).rejects.toThrow();
    // The asker lists the Update's refusal, as the CLI and the console do.
    await handle.signal(decisionRefusedSignal, { requestId: refusedUpdate.requestId, decision: 'approve', by: 'typo', reason: 'there is no take 8 (takes: 1)' });
    await waitForStatus(handle, (s) => refusals(s).length === 2);
    await handle.executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 1 }] });
    await handle.result();
    await replaysAndIsKept('sequence-refused-decision', handle);
  });

  it('a retake with new prompts', async () => {
    const handle = await startSequence(harness, makeUnit(), { maxTakes: 3 });
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    await handle.executeUpdate(retakeUpdate, { args: [{ ...by('dir'), note: 'slower', shots: { '2': 'Close-up, rain on the glass' } }] });
    await waitForStatus(handle, (s) => s.state === 'video_complete' && s.takes.length === 2);
    await handle.executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 2 }] });
    await handle.result();
    await replaysAndIsKept('sequence-retake-new-prompts', handle);
  });

  it('a failed take, then a retake', async () => {
    const unit = makeUnit();
    gate.refuseNext(unit, 'the provider refused the request (422): prompt too long');
    const handle = await startSequence(harness, unit, { maxTakes: 3 });
    const failed = await waitForStatus(handle, (s) => s.state === 'failed');
    expect(failed.failure).toMatch(/take 1 failed: the provider refused/);
    await handle.executeUpdate(retakeUpdate, { args: [{ ...by('dir'), note: 'try again' }] });
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    await handle.executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 2 }] });
    await handle.result();
    await replaysAndIsKept('sequence-failure-then-retake', handle);
  });

  it('an episode whose second sequence waits for budget until it is raised', async () => {
    const projectId = `replay-${randomUUID().slice(0, 8)}`;
    const units = ['SEQ01', 'SEQ02'].map((sequenceId) => makeUnit({ projectId, sequenceId, estimatedCostUsd: 1 }));
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'fal', maxParallel: 2, maxTakes: 2, autoRetakes: 0, budgetUsd: 1, startedBy: 'test' };
    const { handle: episode } = await startOrFindEpisode(harness.client, input, harness.taskQueue);
    const sequence = (id: string) => harness.client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', id));
    const states = async () => Promise.all(units.map((u) => waitForStatus(sequence(u.sequenceId), () => true).then((s) => s.state)));
    await expect.poll(async () => (await states()).sort(), { timeout: 30_000, interval: 200 }).toEqual(['awaiting_budget', 'video_complete']);
    await episode.executeUpdate(setBudgetUpdate, { args: [{ ...by('producer'), budgetUsd: 2 }] });
    for (const unit of units) {
      await waitForStatus(sequence(unit.sequenceId), (s) => s.state === 'video_complete');
      await sequence(unit.sequenceId).executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 1 }] });
    }
    await episode.result();
    const waited = (await Promise.all(units.map(async (u) => ({ u, s: await waitForStatus(sequence(u.sequenceId), () => true) })))).find(({ s }) =>
      s.history.some((h) => h.to === 'awaiting_budget'),
    );
    expect(waited).toBeDefined();
    await replaysAndIsKept('episode-budget-wait', episode);
    await replaysAndIsKept('sequence-budget-wait', sequence(waited!.u.sequenceId));
  });

  it('an episode cancelled while its sequences wait for review', async () => {
    const projectId = `replay-${randomUUID().slice(0, 8)}`;
    const units = ['SEQ01', 'SEQ02'].map((sequenceId) => makeUnit({ projectId, sequenceId }));
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'local', maxParallel: 2, maxTakes: 2, autoRetakes: 0, startedBy: 'test' };
    const { handle: episode } = await startOrFindEpisode(harness.client, input, harness.taskQueue);
    for (const unit of units) await waitForStatus(harness.client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', unit.sequenceId)), (s) => s.state === 'video_complete');
    await episode.cancel();
    await expect(episode.result()).rejects.toThrow();
    await replaysAndIsKept('episode-cancelled', episode);
  });

  it("the fal account's gate: two episodes' jobs through one slot", async () => {
    const gated = await startHarness({ fal: gate.provider('fal') }, undefined, undefined, undefined, undefined, { accountLimits: { fal: 1 }, accountGateCheckHoldersEverySec: 1 });
    try {
      const episodes = ['EP001', 'EP002'].map((episode) => {
        const projectId = `replay-${randomUUID().slice(0, 8)}`;
        return { projectId, episode, units: [makeUnit({ projectId, episode, sequenceId: 'SEQ01' })], provider: 'fal', maxParallel: 1, maxTakes: 2, autoRetakes: 0, startedBy: 'test' } satisfies EpisodeInput;
      });
      for (const input of episodes) await startOrFindEpisode(gated.client, input, gated.taskQueue);
      for (const { projectId, episode } of episodes) {
        const sequence = gated.client.workflow.getHandle(sequenceWorkflowId(projectId, episode, 'SEQ01'));
        await waitForStatus(sequence, (s) => s.state === 'video_complete');
        await sequence.executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 1 }] });
      }
      await replaysAndIsKept('account-gate', gated.client.workflow.getHandle(accountGateWorkflowId('fal', gated.taskQueue)));
    } finally {
      await gated.stop();
    }
  });

  it('notes on a take (one with a drawing), a client verdict, then an approval', async () => {
    const handle = await startSequence(harness, makeUnit());
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    const drawing = [{ tool: 'rect' as const, colour: 'YELLOW' as const, points: [[0.1, 0.1], [0.4, 0.5]] as [number, number][] }];
    await handle.executeUpdate(noteUpdate, { args: [{ ...by('dir'), take: 1, frame: 12, shot: 1, text: 'the door clips', colour: 'YELLOW', drawing }] });
    await handle.signal(noteSignal, { ...by('Jo (client)'), take: 1, frame: 0, text: 'Approved', verdict: 'approved', colour: 'GREEN' });
    await waitForStatus(handle, (s) => s.takes[0]?.notes?.length === 2);
    await handle.executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 1 }] });
    await handle.result();
    await replaysAndIsKept('sequence-notes', handle);
  });

  it('an episode delivered', async () => {
    const projectId = `replay-${randomUUID().slice(0, 8)}`;
    const units = [makeUnit({ projectId, sequenceId: 'SEQ01' })];
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'local', maxParallel: 1, maxTakes: 2, autoRetakes: 0, startedBy: 'test' };
    const { handle: episode } = await startOrFindEpisode(harness.client, input, harness.taskQueue);
    const sequence = harness.client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', 'SEQ01'));
    await waitForStatus(sequence, (s) => s.state === 'video_complete');
    await sequence.executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 1 }] });
    expect(((await episode.result()) as { deliveryPath?: string }).deliveryPath).toBeTruthy();
    await replaysAndIsKept('episode-delivered', episode);
  });

  it("an episode whose second sequence waits for the first one's approval and starts on its last frame", async () => {
    const projectId = `replay-${randomUUID().slice(0, 8)}`;
    const units = [
      makeUnit({ projectId, sequenceId: 'SEQ01' }),
      makeUnit({ projectId, sequenceId: 'SEQ02', startFrame: { kind: 'previous', sequenceId: 'SEQ01' }, previousSequenceId: 'SEQ01' }),
    ];
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'local', maxParallel: 2, maxTakes: 2, autoRetakes: 0, startedBy: 'test' };
    const { handle: episode } = await startOrFindEpisode(harness.client, input, harness.taskQueue);
    const sequence = (id: string) => harness.client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', id));
    await waitForStatus(sequence('SEQ02'), (s) => s.waitingFor?.includes("SEQ01's approval") ?? false);
    await waitForStatus(sequence('SEQ01'), (s) => s.state === 'video_complete');
    await sequence('SEQ01').executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 1 }] });
    const chained = await waitForStatus(sequence('SEQ02'), (s) => s.state === 'video_complete');
    expect(chained.startFrame?.previous).toEqual({ sequenceId: 'SEQ01', take: 1 });
    await sequence('SEQ02').executeUpdate(approveUpdate, { args: [{ ...by('producer'), take: 1 }] });
    await episode.result();
    await replaysAndIsKept('episode-chained-frames', episode);
    await replaysAndIsKept('sequence-chained-start', sequence('SEQ02'));
  });

  it("replays every release's histories: on today's code where they move to it, on their own build where they are pinned", async () => {
    const { replayed, diverged, pinnedAway } = await replayEveryRelease(await readFile(inject('workflowBundlePath'), 'utf8'));
    expect(replayed).toBeGreaterThanOrEqual(8);
    expect(diverged, `histories that no longer replay where they run (an auto-upgrade change needs patched(); a pinned build's bundle must not change):\n${diverged.join('\n')}`).toEqual([]);
    // Not a failure: pinned workflows never move to today's code. Worth knowing before a rollout, though.
    if (pinnedAway.length > 0) console.log(`pinned histories today's code would not replay (they finish on their own build): ${pinnedAway.join(', ')}`);
  });

  it('names the release, history, workflow type and event of every divergence, and spares pinned histories a change they never meet', async () => {
    const incompatible = await readFile(await bundleIncompatibleBuild(await tempFolder()), 'utf8');
    const { diverged, pinnedAway } = await replayEveryRelease(incompatible);
    // 0.1.0 ran unversioned, so its sequences and episodes would move onto such a build and break.
    expect(diverged.some((line) => /^0\.1\.0\/sequence-frame-stage\.json \(sequenceWorkflow\) on today's code: .*\d/.test(line)), diverged.join('\n')).toBe(true);
    expect(diverged.filter((line) => !line.startsWith('0.1.0/'))).toEqual([]);
    expect(pinnedAway).toContain('0.2.0/sequence-frame-stage.json');
  }, 120_000);
});

/** Replays every kept history where it would run if `today` were deployed now. */
async function replayEveryRelease(today: string): Promise<{ replayed: number; diverged: string[]; pinnedAway: string[] }> {
  const releases = (await readdir(HISTORIES, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  expect(releases).toContain('0.1.0');
  const diverged: string[] = [];
  const pinnedAway: string[] = [];
  let replayed = 0;
  for (const release of releases) {
    const manifest = JSON.parse(await readFile(join(HISTORIES, release, 'release.json'), 'utf8')) as ReleaseManifest;
    const ownBuild = manifest.versioned ? await keptBuild(release, manifest) : undefined;
    for (const file of (await readdir(join(HISTORIES, release))).filter((f) => f.endsWith('.json') && f !== 'release.json')) {
      const history = JSON.parse(await readFile(join(HISTORIES, release, file), 'utf8')) as RecordedHistory;
      const type = workflowTypeOf(history);
      const pinned = ownBuild !== undefined && VERSIONING_BEHAVIOR[type as RecoilWorkflowType] === 'PINNED';
      const where = pinned ? `its build ${manifest.buildId}` : "today's code";
      const error = await replayError(pinned ? ownBuild : today, history, file);
      if (error) diverged.push(`${release}/${file} (${type}) on ${where}: ${error}`);
      if (pinned && (await replayError(today, history, file))) pinnedAway.push(`${release}/${file}`);
      replayed++;
    }
  }
  return { replayed, diverged, pinnedAway };
}

interface RecordedHistory {
  events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[];
}

function workflowTypeOf(history: RecordedHistory): string {
  return history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';
}

async function replayError(code: string, history: unknown, file: string): Promise<string | undefined> {
  return Worker.runReplayHistory({ workflowBundle: { code } }, history, file).then(
    () => undefined,
    (err: Error) => err.message,
  );
}
