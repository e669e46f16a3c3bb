import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFalProvider } from '../src/activities/providers/fal/fal-provider.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { startConsole, type RunningConsole } from '../src/console/server.js';
import { statusQuery } from '../src/contract/sequence.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';
import { startFalFake, type FalFake } from './fakes/fal-fake.js';
import { launchBrowser, reviewerContext, screenshot } from './helpers/browser.js';
import { pageErrorsOf, sayWhoIAm } from './helpers/console-page.js';
import { startHarness, waitForStatus, type Harness } from './helpers/harness.js';
import { shippedPricing } from './helpers/pricing.js';
import { runCli } from './helpers/run-cli.js';
import { tempFolders } from './helpers/temp-folders.js';
import { makeUnit } from './helpers/units.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

/**
 * A person settles a take whose fal submission was cut off and fal's records cannot decide (this
 * worker has no admin key): with `recoil settle`, and with the console's three buttons.
 */

const SHOTS = fileURLToPath(new URL('../docs', import.meta.url));
const PRICING = await shippedPricing();
const tempFolder = tempFolders('recoil-settle-');
const FAL_KEY = `fal-${randomUUID()}`;

let fal: FalFake;
let harness: Harness;
let cwd: string;

beforeAll(async () => {
  fal = await startFalFake({ key: FAL_KEY });
  harness = await startHarness({
    fal: createFalProvider({ credentials: FAL_KEY, baseUrl: fal.baseUrl, pollIntervalMs: 100, prices: PRICING.table, submitTimeoutMs: 1_500, uploadCacheDir: await tempFolder() }),
  });
  cwd = await tempFolder();
});
afterAll(async () => {
  await harness?.stop();
  await fal?.close();
});

const env = () => ({ TEMPORAL_ADDRESS: inject('temporalAddress'), RECOIL_TASK_QUEUE: harness.taskQueue, RECOIL_ARTIFACTS_DIR: harness.artifactsRoot });
const jobOf = (prompt: string) => [...fal.jobs.values()].find((j) => j.body.multi_prompt[0].prompt === prompt);

/** A unit whose first shot's prompt is its own (the fal fake keys its jobs and faults by it). */
function unit(projectId: string, sequenceId: string, tag: string, durations: number[], title: string): SequenceUnit {
  const u = makeUnit({ projectId, sequenceId, durations, title });
  const prompt = `${tag} ${randomUUID()}`;
  u.shots[0] = { ...u.shots[0]!, prompt, providerPrompt: prompt };
  return u;
}

async function startEpisode(units: SequenceUnit[]) {
  const { projectId, episode } = units[0]!;
  const input = { projectId, episode, units, provider: 'fal' as const, maxParallel: units.length, maxTakes: 3, autoRetakes: 0, heartbeatTimeoutSec: 5, recordsCheckEverySec: 1, budgetUsd: 20, startedBy: 'test' };
  await startOrFindEpisode(harness.client, input, harness.taskQueue);
  return units.map((u) => harness.client.workflow.getHandle(sequenceWorkflowId(projectId, episode, u.sequenceId)));
}

/** A project folder naming the id, as a person would pass it to the CLI. */
async function projectFolder(projectId: string): Promise<string> {
  const dir = await tempFolder();
  await writeFile(join(dir, 'project.json'), JSON.stringify({ id: projectId }));
  return dir;
}

describe('recoil settle', () => {
  it('shows the question in status; another take\'s request id is refused (exit 2), the right one adopted', { timeout: 120_000 }, async () => {
    const projectId = `settle-${randomUUID().slice(0, 8)}`;
    const fine = unit(projectId, 'SEQ01', 'Answered', [3, 3], 'Answered');
    const cut = unit(projectId, 'SEQ02', 'Cut [fake:accepted_but_cut]', [3, 5], 'Cut off');
    const [fineHandle, cutHandle] = await startEpisode([fine, cut]);
    const other = await waitForStatus(fineHandle!, (s) => s.takes[0]?.requestId !== undefined, 60_000);
    const asked = await waitForStatus(cutHandle!, (s) => s.submissionQuestion !== undefined, 60_000);
    expect(asked.submissionQuestion).toMatchObject({ take: 1, reason: expect.stringMatching(/FAL_ADMIN_KEY/) });
    const dir = await projectFolder(projectId);

    const status = await runCli(['status', dir], env(), cwd);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Waiting for your decision:/);
    expect(status.stdout).toMatch(/EP001\/SEQ02 take 1 \(t001\): its submission to fal was cut off .*FAL_ADMIN_KEY/);
    const base = `npx recoil settle ${dir} EP001 SEQ02 --take 1`;
    for (const choice of ['--adopt <request-id>', '--resubmit', '--give-up']) expect(status.stdout).toContain(`${base} ${choice}`);

    // Not the take being asked about: the workflow's rules refuse it, nothing changes.
    const wrongTake = await runCli(['settle', dir, 'EP001', 'SEQ02', '--take', '2', '--give-up', '--by', 'producer'], env(), cwd);
    expect(wrongTake.code).toBe(2);
    expect(wrongTake.stderr).toMatch(/refused: take 1 is the one waiting for a decision about its submission, not take 2/);

    // Another take's job: the worker refuses to adopt it, and the CLI waits to say so.
    const othersId = other.takes[0]!.requestId!;
    const taken = await runCli(['settle', dir, 'EP001', 'SEQ02', '--take', '1', '--adopt', othersId, '--by', 'producer'], env(), cwd);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(new RegExp(`refused: producer's pick could not be adopted: request ${othersId} is already the job of .*SEQ01.*take 1 still waits`));
    expect((await cutHandle!.query(statusQuery)).submissionQuestion).toMatchObject({ take: 1 });

    const rightId = jobOf(cut.shots[0]!.prompt)!.requestId;
    const adopted = await runCli(['settle', dir, 'EP001', 'SEQ02', '--take', '1', '--adopt', rightId, '--by', 'producer'], env(), cwd);
    expect(adopted.stderr).toBe('');
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(new RegExp(`accepted: adopt fal's request ${rightId} as take 1`));
    const done = await waitForStatus(cutHandle!, (s) => s.state === 'video_complete', 60_000);
    expect(done.takes).toMatchObject([{ take: 1, state: 'complete', requestId: rightId }]);
    expect(fal.submissions.get(cut.shots[0]!.prompt)).toBe(1);
    expect((await runCli(['status', dir], env(), cwd)).stdout).not.toMatch(/Waiting for your decision/);
    await Promise.all([fineHandle!.terminate('test done'), cutHandle!.terminate('test done')]);
  });

  it('refuses bad flags with exit 2, naming the flag and the fix, before reaching Temporal', async () => {
    const noServer = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const cases: [string[], RegExp][] = [
      [['--give-up'], /--take is missing: name the take .*e\.g\. --take 1/],
      [['--take', 'two', '--give-up'], /--take must be a take number like 1 or 2, got "two"/],
      [['--take', '1'], /say what to do with take 1: one of --adopt <request-id>, --resubmit or --give-up/],
      [['--take', '1', '--resubmit', '--give-up'], /--resubmit and --give-up cannot go together: pick one/],
      [['--take', '1', '--adopt', 'abc', '--resubmit'], /--adopt and --resubmit cannot go together/],
      [['--take', '1', '--adopt'], /--adopt needs fal's request id: --adopt <request-id>/],
      [['--take', '1', '--adopt', 'not an id!'], /--adopt: "not an id!" is not a fal request id/],
    ];
    for (const [flags, message] of cases) {
      const { code, stderr, stdout } = await runCli(['settle', 'some-project', 'EP001', 'SEQ01', ...flags], noServer, cwd);
      expect({ flags, code, stdout }).toEqual({ flags, code: 2, stdout: '' });
      expect(stderr).toMatch(message);
    }
  });
});

describe('settling in the Production Console', () => {
  let console_: RunningConsole;
  let browser: Browser;

  beforeAll(async () => {
    console_ = await startConsole({ client: harness.client, connection: harness.connection, namespace: 'default', store: new LocalFolderStore(harness.artifactsRoot), port: 0 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await console_?.close();
  });

  it('shows the question on the Board and in Dailies; Give up fails the take, adopting completes it', { timeout: 180_000 }, async () => {
    const projectId = `settle-ui-${randomUUID().slice(0, 8)}`;
    const adopt = unit(projectId, 'SEQ01', 'Adopt me [fake:accepted_but_cut]', [3, 3], 'Van at the crossing');
    const giveUp = unit(projectId, 'SEQ02', 'Give me up [fake:accepted_but_502]', [4, 4], 'Cab interior, rain');
    const answered = unit(projectId, 'SEQ03', 'Answered', [3, 5], 'Driver looks back');
    const [adoptHandle, giveUpHandle, answeredHandle] = await startEpisode([adopt, giveUp, answered]);
    await Promise.all([adoptHandle, giveUpHandle].map((h) => waitForStatus(h!, (s) => s.submissionQuestion !== undefined, 60_000)));
    await waitForStatus(answeredHandle!, (s) => s.state === 'video_complete', 60_000);

    const context = await reviewerContext(browser);
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const pageErrors = pageErrorsOf(page);
    await page.goto(`${console_.url}/p/${projectId}/EP001/board`);
    await sayWhoIAm(page, 'Pat Producer');

    for (const sequenceId of ['SEQ01', 'SEQ02']) {
      const panel = page.locator(`#card-${sequenceId} .settle`);
      await panel.waitFor();
      expect(await panel.locator('.question').textContent()).toMatch(/FAL_ADMIN_KEY/);
      for (const name of ['Adopt request id', 'Submit again', 'Give up']) expect(await panel.getByRole('button', { name, exact: true }).count()).toBe(1);
    }
    expect(await page.locator('#card-SEQ03 .settle').count()).toBe(0);
    await page.locator('#card-SEQ03 video').evaluate((v: HTMLVideoElement) => (v.readyState >= 2 ? undefined : new Promise((resolve) => v.addEventListener('loadeddata', resolve, { once: true }))));
    await page.screenshot({ path: join(SHOTS, 'console-settle.png'), fullPage: true });

    // Give up on the Board: the take fails, counted at its estimate.
    await page.locator('#card-SEQ02 .settle').getByRole('button', { name: 'Give up' }).click();
    await page.locator('#card-SEQ02[data-state="failed"]').waitFor();
    expect(await page.locator('#card-SEQ02 .settle').count()).toBe(0);
    const failed = await giveUpHandle!.query(statusQuery);
    expect(failed.failure).toMatch(/Pat Producer gave up take 1/);
    expect(failed.spentUsd).toBe(giveUp.estimatedCostUsd);
    expect(failed.decisions.at(-1)).toMatchObject({ decision: 'settleSubmission', by: 'Pat Producer', outcome: 'accepted' });

    // Dailies lists the other one as waiting for a person; opened, it asks the same question.
    await page.goto(`${console_.url}/p/${projectId}/EP001/dailies`);
    await page.locator('#queue [data-queue-item="SEQ01"]').getByText('t001 cut off').click();
    const panel = page.locator('#settle-panel .settle[data-settle="SEQ01"]');
    await panel.waitFor();
    const input = panel.locator('input[name=providerRequestId]');
    const adoptButton = panel.getByRole('button', { name: 'Adopt request id' });

    // No id: the browser will not send it. SEQ03's job: refused, with the reason, and the take still waits.
    await adoptButton.click();
    expect(await input.evaluate((field: HTMLInputElement) => field.validity.valueMissing)).toBe(true);
    const othersId = (await answeredHandle!.query(statusQuery)).takes[0]!.requestId!;
    await input.fill(othersId);
    await adoptButton.click();
    expect(await outcomeOf(page, 'settle-dailies-SEQ01-outcome')).toMatch(new RegExp(`^refused: Pat Producer's pick could not be adopted: request ${othersId} is already the job of .*SEQ03`));
    await expect.poll(async () => (await panel.locator('.question').textContent()) ?? '').toMatch(/could not be adopted/);
    await screenshot(page, SHOTS, 'console-settle-dailies');

    // Its own job: adopted, the take goes on to completion, and the question is gone.
    const rightId = jobOf(adopt.shots[0]!.prompt)!.requestId;
    await input.fill(rightId);
    await adoptButton.click();
    await waitForStatus(adoptHandle!, (s) => s.state === 'video_complete', 60_000);
    await expect.poll(() => page.locator('#settle-panel .settle').count(), { timeout: 20_000 }).toBe(0);
    const done = await adoptHandle!.query(statusQuery);
    expect(done.takes).toMatchObject([{ take: 1, state: 'complete', requestId: rightId }]);
    expect(fal.submissions.get(adopt.shots[0]!.prompt)).toBe(1);

    expect(pageErrors).toEqual([]);
    await context.close();
    await Promise.all([adoptHandle, giveUpHandle, answeredHandle].map((h) => h!.terminate('test done')));
  });
});

/**
 * The console answers an adoption once the worker has taken it on or refused it: up to 20 s for the
 * Update and 20 s more following the take (client/decisions.ts). A loaded machine may use all of it.
 */
async function outcomeOf(page: Page, id: string): Promise<string> {
  const slot = page.locator(`#${id}`);
  await expect.poll(async () => (await slot.textContent()) ?? '', { timeout: 60_000 }).toMatch(/^(accepted|refused|recorded)/);
  return (await slot.textContent()) ?? '';
}
