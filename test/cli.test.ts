import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../src/temporal/dev-server.js';
import { makeProject, removeFixtures } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { renderFixtureVideo } from './helpers/fixture-video.js';
import { GatedProvider } from './helpers/gated-provider.js';
import { startHarness, type Harness } from './helpers/harness.js';

let client: Client;
let connection: Connection;
let cwd: string;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  cwd = await mkdtemp(join(tmpdir(), 'recoil-cli-'));
});
afterAll(async () => {
  await connection?.close();
  await removeFixtures();
});

/** A copy of the example under a project id of its own, so tests never share workflows. */
function uniqueProject(mutate?: Parameters<typeof makeProject>[0]) {
  const id = `cli-${randomUUID().slice(0, 8)}`;
  return makeProject(async (files) => {
    files.project.id = id;
    // The gated test provider delivers one fixed clip: let the critics flag it without retaking.
    files.project.critic_auto_retakes = 0;
    await mutate?.(files);
  }).then((dir) => ({ dir, id }));
}

function envFor(taskQueue = `cli-${randomUUID()}`) {
  return { TEMPORAL_ADDRESS: inject('temporalAddress'), RECOIL_TASK_QUEUE: taskQueue, RECOIL_ARTIFACTS_DIR: join(cwd, 'artifacts') };
}

async function workflowsOf(projectId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `RecoilProject = '${projectId}'` })) ids.push(wf.workflowId);
  return ids;
}

/** A project of its own, run on a live worker of its own queue, until `sequenceId` has a take to decide on. */
async function awaitingDecision(sequenceId: string) {
  const { dir, id } = await uniqueProject();
  const env = envFor(`cli-${randomUUID()}`);
  const gate = new GatedProvider(await renderFixtureVideo());
  const harness = await startHarness({ local: gate.provider() }, env.RECOIL_TASK_QUEUE);
  try {
    expect((await runCli(['run', dir, '--episode', 'EP001', '--only', sequenceId], env, cwd)).code).toBe(0);
    gate.open({ projectId: id, sequenceId });
    await expect.poll(async () => (await runCli(['status', id, '--json'], env, cwd)).stdout, { timeout: 30_000, interval: 500 }).toMatch(/"state": "video_complete"/);
    return { id, env, harness };
  } catch (err) {
    await harness.stop();
    throw err;
  }
}

describe('recoil CLI', () => {
  it('validates the example and exits 0 with a summary', async () => {
    const { code, stdout } = await runCli(['validate', 'examples/driver-beware'], {}, process.cwd());
    expect(code).toBe(0);
    expect(stdout).toMatch(/driver-beware \(Driver Beware\): valid/);
    expect(stdout).toMatch(/EP001 \(plans\/ep_001_plan\.json\): 5 sequences/);
  });

  it('lists an unknown element, a 20 s shot and a duplicate sequence id at once, exits 2, starts and writes nothing', async () => {
    const { dir, id } = await uniqueProject((f) => {
      f.plan.sequences[2].elements.push('ghost');
      f.plan.sequences[1].shots[0].duration = 20;
      f.plan.sequences[3].id = f.plan.sequences[0].id;
    });
    const before = await readdir(dir, { recursive: true });
    for (const command of [['validate', dir], ['run', dir, '--episode', 'EP001']]) {
      const { code, stderr, stdout } = await runCli(command, envFor(), cwd);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/3 problems; nothing was started or written/);
      expect(stderr).toMatch(/plans\/ep_001_plan\.json:\d+:\d+ sequences\[2\]\.elements\[\d\]: .*ghost/);
      expect(stderr).toMatch(/plans\/ep_001_plan\.json:\d+:\d+ sequences\[1\]\.shots\[0\]\.duration: /);
      expect(stderr).toMatch(/plans\/ep_001_plan\.json:\d+:\d+ sequences\[3\]\.id: /);
    }
    expect(await readdir(dir, { recursive: true })).toEqual(before);
    expect(await workflowsOf(id)).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('checks the price table with the project, names what is wrong in it, and exits 2', async () => {
    const { dir } = await uniqueProject((f) => {
      f.plan.sequences[1].shots[0].duration = 20;
    });
    const tables = await mkdtemp(join(tmpdir(), 'recoil-prices-'));
    const shipped = JSON.parse(await readFile('config/prices.json', 'utf8'));
    const broken = join(tables, 'prices.json');
    await writeFile(broken, JSON.stringify({ ...shipped, video_usd_per_second: { 'kling-o3': { audio_off: -1, audio_on: 0.112 } } }));

    const bad = await runCli(['validate', dir], { RECOIL_PRICES: broken }, cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/3 problems; nothing was started or written/);
    expect(bad.stderr).toMatch(/plans\/ep_001_plan\.json:\d+:\d+ sequences\[1\]\.shots\[0\]\.duration: /);
    expect(bad.stderr).toMatch(/prices\.json:\d+:\d+ video_usd_per_second\.kling-o3\.audio_off: must be at least 0 \(got -1\)/);
    expect(bad.stderr).toMatch(/prices\.json:\d+:\d+ video_usd_per_second\.kling-o3-pro: /);

    const unpriced = await runCli(['run', dir, '--episode', 'EP001'], { ...envFor(), RECOIL_GEMINI_MODEL: 'gemini-9-imaginary' }, cwd);
    expect(unpriced.code).toBe(2);
    expect(unpriced.stderr).toMatch(/config\/prices\.json:\d+:\d+ gemini_image_models: no price for the grid model "gemini-9-imaginary" \(RECOIL_GEMINI_MODEL\)/);
    expect(unpriced.stderr).toMatch(/fix: add a row for it, or set RECOIL_GEMINI_MODEL to one of: gemini-2\.5-flash-image/);
  });

  it('refuses to run a sequence on the offline model with --provider fal, before anything starts', async () => {
    const { dir, id } = await uniqueProject((f) => {
      f.plan.sequences[2].model = 'local';
    });
    const { code, stderr } = await runCli(['run', dir, '--episode', 'EP001', '--provider', 'fal'], { ...envFor(), FAL_KEY: 'k', GEMINI_API_KEY: 'g' }, cwd);
    expect(code).toBe(2);
    expect(stderr).toMatch(/SEQ03 \(model "local"\) cannot run on fal: set "model" to kling-o3 or kling-o3-pro in plans\/ep_001_plan\.json .* or run with --provider local/);
    expect(await workflowsOf(id)).toEqual([]);
  });

  it('estimates from the price table in use, grids included', async () => {
    const { dir } = await uniqueProject();
    const tables = await mkdtemp(join(tmpdir(), 'recoil-prices-'));
    const shipped = JSON.parse(await readFile('config/prices.json', 'utf8'));
    const doubled = join(tables, 'prices.json');
    shipped.video_usd_per_second['kling-o3'].audio_off = 0.168;
    await writeFile(doubled, JSON.stringify(shipped));
    const shippedRun = await runCli(['estimate', dir, '--episode', 'EP001', '--only', 'SEQ02'], { TEMPORAL_ADDRESS: '127.0.0.1:1' }, process.cwd());
    expect(shippedRun.code).toBe(0);
    // SEQ02: 13 s of kling-o3 at $0.084, and one grid of 1290 tokens at $30 per million.
    expect(shippedRun.stdout).toMatch(/SEQ02 .*│ \$0\.039 .*│ \$1\.09 /);
    expect(shippedRun.stdout).toMatch(/Prices from config\/prices\.json\./);
    const doubledRun = await runCli(['estimate', dir, '--episode', 'EP001', '--only', 'SEQ02'], { TEMPORAL_ADDRESS: '127.0.0.1:1', RECOIL_PRICES: doubled }, process.cwd());
    expect(doubledRun.stdout).toMatch(/SEQ02 .*│ \$0\.039 .*│ \$2\.18 /);
    expect(doubledRun.stdout).toContain(`Prices from ${doubled} (RECOIL_PRICES).`);
  });

  it('exits 2 on usage errors and says what to do', async () => {
    const unknown = await runCli(['frobnicate'], {}, cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const badTake = await runCli(['approve', 'p', 'EP001', 'SEQ01', '--take', 'two'], envFor(), cwd);
    expect(badTake.code).toBe(2);
    expect(badTake.stderr).toMatch(/--take must be a take number/);
    const emptyPrompt = await runCli(['retake', 'p', 'EP001', 'SEQ01', '--note', 'n', '--shot', '2=   '], envFor(), cwd);
    expect(emptyPrompt.code).toBe(2);
    expect(emptyPrompt.stderr).toMatch(/--shot 2: a shot prompt must not be empty; write the new prompt after the =/);
    const noSuch = await runCli(['approve', 'nobody', 'EP001', 'SEQ09', '--take', '1'], envFor(), cwd);
    expect(noSuch.code).toBe(2);
    expect(noSuch.stderr).toMatch(/there is no sequence nobody\/EP001\/SEQ09: check the ids with `npx recoil status nobody`/);
  });

  it('exits 1 with a next step when no Temporal server answers', async () => {
    const { code, stderr } = await runCli(['status', 'driver-beware'], { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }, cwd);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no Temporal server answers at 127\.0\.0\.1:\d+/);
    expect(stderr).toMatch(/npx recoil dev/);
  });

  it('runs an episode, finds it instead of starting it twice, and queues a signal while no worker runs', async () => {
    const { dir, id } = await uniqueProject();
    const taskQueue = `cli-${randomUUID()}`;
    const env = envFor(taskQueue);
    const first = await runCli(['run', dir, '--episode', 'EP001', '--only', 'SEQ01'], env, cwd);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`started ${id}/EP001: 1 sequences on local`));
    expect(first.stdout).toMatch(/no worker is running: start one with `npx recoil dev`/);
    const second = await runCli(['run', dir, '--episode', 'EP001', '--only', 'SEQ01'], env, cwd);
    expect(second.stdout).toMatch(/is already running: nothing new was started/);

    // Nothing runs the episode yet: the status board and a signal both say so.
    let harness: Harness | undefined;
    try {
      const gate = new GatedProvider(await renderFixtureVideo());
      harness = await startHarness({ local: gate.provider() }, taskQueue);
      const artifactsRoot = harness.artifactsRoot;
      await expect.poll(async () => (await runCli(['status', id, '--json'], env, cwd)).stdout, { timeout: 30_000, interval: 500 }).toMatch(/"state": "video_generating"/);
      gate.open({ projectId: id, sequenceId: 'SEQ01' });
      await expect.poll(async () => (await runCli(['status', id], env, cwd)).stdout, { timeout: 30_000, interval: 500 }).toMatch(/video_complete/);
      await harness.stop();
      harness = undefined;

      // No worker: the decision is recorded durably under its request id, and applied when one comes back.
      const queued = await runCli(['approve', id, 'EP001', 'SEQ01', '--take', '1', '--by', 'dana'], env, cwd);
      expect(queued.code).toBe(0);
      const requestId = /recorded as request (r-[0-9a-f]{8}); it is applied or refused when a worker comes back/.exec(queued.stdout)?.[1];
      expect(requestId).toBeDefined();
      const board = await runCli(['status', id], env, cwd);
      expect(board.stdout).toMatch(/no worker is running/);

      harness = await startHarness({ local: gate.provider() }, taskQueue, artifactsRoot);
      await expect.poll(async () => (await runCli(['status', id, '--json'], env, cwd)).stdout, { timeout: 30_000, interval: 500 }).toMatch(/"state": "approved"/);
      const applied = await runCli(['status', id], env, cwd);
      expect(applied.stdout).toContain(`SEQ01 ${requestId} approve by dana accepted: approved take 1`);
      await client.workflow.getHandle(`${id}/EP001/SEQ01`).result();
      const refused = await runCli(['approve', id, 'EP001', 'SEQ01', '--take', '1'], env, cwd);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/is closed \(completed\): nothing to change/);
    } finally {
      await harness?.stop();
    }
  });

  it('answers a decision at once when a worker is live: refused with the reason (exit 2) or accepted', async () => {
    const { id, env, harness } = await awaitingDecision('SEQ03');
    try {
      const asked = Date.now();
      const wrongTake = await runCli(['approve', id, 'EP001', 'SEQ03', '--take', '99'], env, cwd);
      console.log(`a refused approve answered in ${Date.now() - asked} ms, process start included`);
      expect(wrongTake.code).toBe(2);
      expect(wrongTake.stderr).toMatch(/^error: refused: there is no take 99 \(takes: 1\) \(approve take 99 of SEQ03, request r-[0-9a-f]{8}\)/m);
      // A refused Update leaves no trace in the workflow by itself; the CLI lists it, so status shows it.
      const refusedId = /request (r-[0-9a-f]{8})/.exec(wrongTake.stderr)![1]!;
      await expect.poll(async () => (await runCli(['status', id], env, cwd)).stdout, { timeout: 15_000, interval: 500 }).toContain(`SEQ03 ${refusedId} approve by`);
      // A note, checked against the take where this machine has it (the harness's artifacts are elsewhere: no shot named).
      const noted = await runCli(['note', id, 'EP001', 'SEQ03', '--take', '1', '--frame', '30', '--to', '40', '--text', 'the door clips', '--colour', 'cyan'], env, cwd);
      expect(noted.stdout).toMatch(/✓ accepted: note on take 1 at frames 30–40: the door clips \(note on take 1 of SEQ03, request r-[0-9a-f]{8}\)/);
      const backwards = await runCli(['note', id, 'EP001', 'SEQ03', '--take', '1', '--frame', '30', '--to', '3', '--text', 'x'], env, cwd);
      expect(backwards.code).toBe(2);
      expect(backwards.stderr).toMatch(/--to: the out point comes before the in point/);
      const badShot = await runCli(['retake', id, 'EP001', 'SEQ03', '--note', 'x', '--shot', '9=nope'], env, cwd);
      expect(badShot.code).toBe(2);
      expect(badShot.stderr).toMatch(/shot 9 does not exist/);
      const retake = await runCli(['retake', id, 'EP001', 'SEQ03', '--note', 'warmer light', '--shot', '1=Wide shot, warmer light'], env, cwd);
      expect(retake.code).toBe(0);
      expect(retake.stdout).toMatch(/✓ accepted: retake with new prompts for shot 1 \(retake SEQ03, request r-[0-9a-f]{8}\)/);
      const cancelled = await runCli(['cancel', id, 'EP001', 'SEQ03'], env, cwd);
      expect(cancelled.code).toBe(0);
      expect(cancelled.stdout).toMatch(/cancellation of .*\/EP001\/SEQ03 requested/);
      const summary = await client.workflow.getHandle(`${id}/EP001`).result();
      expect(summary).toMatchObject({ approved: [], failed: ['SEQ03'] });
    } finally {
      await harness.stop();
    }
  });

  it('two people deciding at once from two processes: exactly one is accepted, the other gets its own refusal', async () => {
    const { id, env, harness } = await awaitingDecision('SEQ01');
    try {
      const [approve, retake] = await Promise.all([
        runCli(['approve', id, 'EP001', 'SEQ01', '--take', '1', '--by', 'alice'], env, cwd),
        runCli(['retake', id, 'EP001', 'SEQ01', '--note', 'darker', '--by', 'bob'], env, cwd),
      ]);
      expect([approve.code, retake.code].sort()).toEqual([0, 2]);
      const [winner, loser] = approve.code === 0 ? [approve, retake] : [retake, approve];
      expect(winner.stdout).toMatch(/✓ accepted: /);
      // The loser reads its own refusal, naming the state the winner's decision left.
      // An approval can also end the workflow before the other process reaches it: closed is its refusal then.
      const loserRefusal = approve.code === 0 ? /^error: (refused: cannot retake: the sequence is already approved \(retake SEQ01|sequence \S+ is closed \(completed\): nothing to change)/m : /^error: refused: cannot approve: a take is still being generated/m;
      expect(loser.stderr).toMatch(loserRefusal);
    } finally {
      await harness.stop();
    }
  });
});
