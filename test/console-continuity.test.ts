import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeInput } from '../src/client/episode-input.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { approveSignal } from '../src/contract/sequence.js';
import { startConsole, type RunningConsole } from '../src/console/server.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';
import { toSequenceUnits } from '../src/domain/sequence-unit.js';
import { loadEpisode } from '../src/project/load-episode.js';
import { providersFromEnv } from '../src/worker/providers-from-env.js';
import { launchBrowser, reviewerContext, screenshot } from './helpers/browser.js';
import { pageErrorsOf, sayWhoIAm } from './helpers/console-page.js';
import { stopConsoleStack } from './helpers/console-stack.js';
import { startHarness, waitForStatus, type Harness } from './helpers/harness.js';
import { shippedPricing } from './helpers/pricing.js';
import { makeProject } from './helpers/project-fixture.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const SHOTS = fileURLToPath(new URL('../docs', import.meta.url));

let harness: Harness;
let console_: RunningConsole;
let browser: Browser;
let context: BrowserContext;
let projectId: string;

/**
 * The example's first three sequences on the offline provider: SEQ01 as planned, SEQ02 exploring
 * start frames (a grid), SEQ03 starting from SEQ02's approved last frame, as the example plans it.
 */
beforeAll(async () => {
  projectId = `cut-${randomUUID().slice(0, 8)}`;
  const dir = await makeProject((files) => {
    files.project.id = projectId;
    files.plan.sequences = files.plan.sequences.slice(0, 3);
  });
  const artifactsRoot = await mkdtemp(join(tmpdir(), 'recoil-continuity-'));
  const pricing = await shippedPricing();
  const { providers, gridProviders } = providersFromEnv(artifactsRoot, pricing, {});
  harness = await startHarness(providers, undefined, artifactsRoot, gridProviders);
  const loaded = await loadEpisode(dir, 'EP001');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  await startOrFindEpisode(harness.client, episodeInput({ ...loaded, units: toSequenceUnits({ ...loaded, pricing }) }, 'local', 'continuity-test'), harness.taskQueue);
  console_ = await startConsole({ client: harness.client, connection: harness.connection, namespace: 'default', store: new LocalFolderStore(artifactsRoot), port: 0 });
  browser = await launchBrowser();
  context = await reviewerContext(browser);
  context.setDefaultTimeout(30_000);
});

afterAll(() => stopConsoleStack({ browser, console: console_, harness }));

const sequence = (sequenceId: string) => harness.client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', sequenceId));

describe('sequences that cut together, in the console', () => {
  it("offers the previous sequence's approved last frame as a fifth start frame, shows the cut as a filmstrip, and plays the episode across its cuts", { timeout: 600_000 }, async () => {
    const page = await context.newPage();
    const pageErrors = pageErrorsOf(page);
    await page.goto(`${console_.url}/p/${projectId}/EP001/board`);
    await sayWhoIAm(page, 'Dana');

    await waitForStatus(sequence('SEQ01'), (s) => s.state === 'video_complete', 240_000);
    await sequence('SEQ01').signal(approveSignal, { take: 1, by: 'producer' });
    await waitForStatus(sequence('SEQ02'), (s) => s.state === 'frame_review' && s.previousApproval?.take === 1, 240_000);

    // Start frames: four quadrants and SEQ01's last frame; key 5 picks it.
    await page.goto(`${console_.url}/p/${projectId}/EP001/s/SEQ02/frames`);
    const previous = page.locator('.previous-frame.pickable [data-previous]');
    await previous.waitFor();
    await expect.poll(() => previous.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBe(640);
    await screenshot(page, SHOTS, 'console-previous-frame');
    await page.keyboard.press('5');
    await expect.poll(async () => (await page.locator('#pick-outcome').textContent()) ?? '', { timeout: 20_000 }).toMatch(/^accepted/);

    const seq02 = await waitForStatus(sequence('SEQ02'), (s) => s.state === 'video_complete', 240_000);
    expect(seq02.startFrame?.previous).toEqual({ sequenceId: 'SEQ01', take: 1 });
    await sequence('SEQ02').signal(approveSignal, { take: 1, by: 'producer' });
    await waitForStatus(sequence('SEQ03'), (s) => s.state === 'video_complete', 240_000);

    // The Board's filmstrip: three sequences in plan order, both cuts meeting.
    await page.goto(`${console_.url}/p/${projectId}/EP001/board`);
    await expect.poll(() => page.locator('#filmstrip .strip-seq').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.seq)), { timeout: 30_000 }).toEqual(['SEQ01', 'SEQ02', 'SEQ03']);
    await expect.poll(() => page.locator('#filmstrip .joint[data-joint]').evaluateAll((items) => items.map((li) => `${(li as HTMLElement).dataset.joint}:${li.className}`))).toEqual([
      'SEQ02:joint meets',
      'SEQ03:joint meets',
    ]);
    await expect.poll(() => page.locator('#filmstrip img').evaluateAll((imgs) => imgs.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)), { timeout: 30_000 }).toBe(true);
    await screenshot(page, SHOTS, 'console-filmstrip');

    // Play the episode: at the end of SEQ01 the next take starts and the caption names SEQ02.
    await page.locator('#play-episode').click();
    const video = page.locator('#episode-video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect(page.locator('#cut-caption').textContent()).resolves.toMatch(/^SEQ01 · t001/);
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      v.currentTime = Math.max(0, v.duration - 0.3);
      return v.play();
    });
    await expect.poll(() => page.locator('#episode-player').getAttribute('data-index'), { timeout: 30_000 }).toBe('1');
    await expect(page.locator('#cut-caption').textContent()).resolves.toMatch(/^SEQ02 · t001/);
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.src.includes('/SEQ02/1/video') && !v.paused && v.currentTime > 0), { timeout: 30_000 }).toBe(true);
    await screenshot(page, SHOTS, 'console-episode-player');
    expect(pageErrors).toEqual([]);
  });
});
