import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeInput } from '../src/client/episode-input.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { startConsole, type RunningConsole } from '../src/console/server.js';
import { toSequenceUnits } from '../src/domain/sequence-unit.js';
import { loadEpisode } from '../src/project/load-episode.js';
import { providersFromEnv } from '../src/worker/providers-from-env.js';
import { launchBrowser, recordMedia, reviewerContext, screenshot } from './helpers/browser.js';
import { pageErrorsOf, sayWhoIAm } from './helpers/console-page.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { shippedPricing } from './helpers/pricing.js';
import { stopConsoleStack } from './helpers/console-stack.js';
import { makeProject } from './helpers/project-fixture.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

/** Written by every run for people to look at (the README shows them). */
const SHOTS = fileURLToPath(new URL('../docs', import.meta.url));
/** Prompt text is user text: it must render as text, never as markup. */
const HOSTILE_PROMPT = 'Medium shot inside the cab, slower <script>window.__owned=1</script> "><img src=x onerror="window.__owned=2">';

let harness: Harness;
let console_: RunningConsole;
let browser: Browser;
let context: BrowserContext;
let projectId: string;
let board: string;

beforeAll(async () => {
  projectId = `console-${randomUUID().slice(0, 8)}`;
  const dir = await makeProject((files) => {
    files.project.id = projectId;
    // Takes are approved as they arrive, SEQ03 before SEQ02: here it does not wait for SEQ02's last frame.
    delete files.plan.sequences[2].start_frame;
  });
  const pricing = await shippedPricing();
  const loaded = await loadEpisode(dir, 'EP001');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const artifactsRoot = await mkdtemp(join(tmpdir(), 'recoil-console-'));
  const { providers, gridProviders } = providersFromEnv(artifactsRoot, pricing, {});
  harness = await startHarness(providers, undefined, artifactsRoot, gridProviders);
  const units = toSequenceUnits({ ...loaded, pricing });
  await startOrFindEpisode(harness.client, episodeInput({ ...loaded, units }, 'local', 'console-test'), harness.taskQueue);
  console_ = await startConsole({ client: harness.client, connection: harness.connection, namespace: 'default', store: new LocalFolderStore(harness.artifactsRoot), port: 0 });
  board = `${console_.url}/p/${projectId}/EP001/board`;
  browser = await launchBrowser();
  context = await reviewerContext(browser);
});

afterAll(() => stopConsoleStack({ browser, console: console_, harness }));

/** Progress lines, so a slow run shows where it is. */
function step(what: string): void {
  console.log(`[console test ${new Date().toISOString().slice(11, 19)}] ${what}`);
}

async function cardState(page: Page, sequenceId: string, state: string, timeout = 180_000): Promise<void> {
  await page.locator(`#card-${sequenceId}[data-state="${state}"]`).waitFor({ timeout });
}

async function outcome(page: Page, id = 'decide-outcome'): Promise<string> {
  const slot = page.locator(`#${id}`);
  await expect.poll(async () => (await slot.textContent()) ?? '', { timeout: 20_000 }).toMatch(/^(accepted|refused|recorded)/);
  return (await slot.textContent()) ?? '';
}

/** Opens a take in Dailies once the Board says it waits for a decision. */
async function openTake(page: Page, sequenceId: string, take: number): Promise<void> {
  await page.goto(`${console_.url}/p/${projectId}/EP001/dailies?seq=${sequenceId}&take=${take}`);
  await page.locator(`.review[data-sequence="${sequenceId}"][data-take="${take}"]`).waitFor();
}

describe('the Production Console in a real browser', () => {
  it('reviews the demo episode entirely in the browser', { timeout: 900_000 }, async () => {
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const pageErrors = pageErrorsOf(page);
    const media = recordMedia(page);

    await page.goto(board);
    await sayWhoIAm(page, 'Dana <b>Director</b>');

    // A second tab on the Board, never reloaded: it must follow every decision by itself.
    const watcher = await context.newPage();
    await watcher.goto(board);
    await watcher.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    step('start frames');
    // Start frames: SEQ02's grid, quadrant 3 picked with the key.
    await cardState(page, 'SEQ02', 'frame_review');
    await page.goto(`${console_.url}/p/${projectId}/EP001/s/SEQ02/frames`);
    await page.locator('.grid-block.pickable img').first().waitFor();
    await expect.poll(() => page.locator('.grid-block.pickable img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
    await screenshot(page, SHOTS, 'console-frames');
    await page.keyboard.press('3');
    expect(await outcome(page, 'pick-outcome')).toMatch(/^accepted/);
    await expect.poll(() => page.locator('#frames-state').textContent(), { timeout: 30_000 }).not.toBe('frame review');
    await expect.poll(() => page.locator('#grid-1 [data-quadrant="3"].chosen').count(), { timeout: 10_000 }).toBe(1);

    step('watch a take');
    // Watch a take: SEQ01's first take plays from range requests; frame stepping lands on frames.
    await page.goto(board);
    await cardState(page, 'SEQ01', 'video_complete');
    await openTake(page, 'SEQ01', 1);
    const video = page.locator('#player-video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Space');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(0.5);
    expect(media.some((r) => r.url().includes('/media/take/') && r.status() === 206)).toBe(true);
    await page.keyboard.press('k');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.paused)).toBe(true);
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('#player').getAttribute('data-frame')).toBe('0');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#player').getAttribute('data-frame')).toBe('3');
    expect(await video.evaluate((v: HTMLVideoElement) => Math.abs(v.currentTime - 3.5 / 24))).toBeLessThan(0.001);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('#player [data-timecode]').textContent()).toBe('00:00:00:02');
    await expect(page.locator('#player .timeline .shot').count()).resolves.toBe(3);
    await screenshot(page, SHOTS, 'console-dailies');

    step('retake');
    // Retake SEQ02 with a new prompt for shot 2 (user text with markup in it).
    await page.goto(board);
    await cardState(page, 'SEQ02', 'video_complete');
    await openTake(page, 'SEQ02', 1);
    await page.keyboard.press('r');
    await page.keyboard.type('Slower, and hold on the mirror');
    await page.locator('form.retake details summary').click();
    await page.locator('form.retake textarea[name="shot-2"]').fill(HOSTILE_PROMPT);
    await page.locator('form.retake textarea[name="note"]').press('Control+Enter');
    expect(await outcome(page)).toMatch(/^accepted/);

    // Approving the old take while the new one generates is refused, with the reason, in the page.
    await page.locator('#decide-outcome').evaluate((slot) => (slot.textContent = ''));
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    expect(await outcome(page)).toMatch(/^refused: .*(generat|retake)/);

    // A Dailies tab left open gets SEQ02's new take by itself when it finishes.
    const dailiesTab = await context.newPage();
    await dailiesTab.goto(`${console_.url}/p/${projectId}/EP001/dailies`);
    await dailiesTab.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // Approve every other take as it arrives, with the A key.
    for (const sequenceId of ['SEQ01', 'SEQ03', 'SEQ04', 'SEQ05']) {
      step(`approve ${sequenceId}`);
      await page.goto(board);
      await cardState(page, sequenceId, 'video_complete');
      await openTake(page, sequenceId, 1);
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      await page.keyboard.press('a');
      expect(await outcome(page)).toMatch(/^accepted/);
      // The decided take shows it without a reload: its forms disabled, the answer still there.
      await page.locator('#not-waiting').waitFor({ timeout: 30_000 });
      expect(await page.locator('#approve-form button').isDisabled()).toBe(true);
      expect(await page.locator('#retake-form textarea[name=note]').isDisabled()).toBe(true);
      expect(await outcome(page)).toMatch(/^accepted/);
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await cardState(watcher, sequenceId, 'approved', 30_000);
    }

    step('compare');
    await dailiesTab.locator('[data-queue-item="SEQ02"]').waitFor({ timeout: 180_000 });
    expect(await dailiesTab.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // Compare SEQ02's two takes: the changed prompt is marked and shown as text; the sides stay in sync.
    await page.goto(board);
    await cardState(page, 'SEQ02', 'video_complete');
    await page.goto(`${console_.url}/p/${projectId}/EP001/s/SEQ02/compare`);
    const changed = page.locator('.prompt-diff tr.changed');
    await expect(changed.count()).resolves.toBe(1);
    await expect(changed.getAttribute('data-shot')).resolves.toBe('2');
    await expect(changed.locator('td').nth(2).textContent()).resolves.toBe(HOSTILE_PROMPT);
    await expect(page.locator('.prompt-diff img').count()).resolves.toBe(0);
    const lead = page.locator('#lead-video');
    const follow = page.locator('#follow-video');
    await expect.poll(() => follow.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect(follow.evaluate((v: HTMLVideoElement) => v.muted)).resolves.toBe(true);
    await expect(lead.evaluate((v: HTMLVideoElement) => v.muted)).resolves.toBe(false);
    await page.keyboard.press('Space');
    await expect.poll(() => lead.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(1);
    await page.waitForTimeout(1_500);
    step('sampling drift');
    // Playing, the follower keeps up (how closely depends on the machine: logged); paused or
    // stepped, it shows the leader's frame.
    const drifts = await page.evaluate(async () => {
      const { lead: a, follow: b } = (window as unknown as { consoleCompare: Record<'lead' | 'follow', HTMLVideoElement> }).consoleCompare;
      const samples: number[] = [];
      for (let i = 0; i < 30; i++) {
        await new Promise((resolve) => {
          a.requestVideoFrameCallback(() => resolve(undefined));
          setTimeout(resolve, 200);
        });
        samples.push(Math.abs(a.currentTime - b.currentTime));
      }
      return samples;
    });
    drifts.sort((x, y) => x - y);
    step(`compare drift while playing: median ${(drifts[15]! * 1000).toFixed(1)} ms, worst ${(drifts[29]! * 1000).toFixed(1)} ms`);
    expect(drifts[15]).toBeLessThanOrEqual(0.25);
    const gap = () => page.evaluate(() => {
      const { lead: a, follow: b } = (window as unknown as { consoleCompare: Record<'lead' | 'follow', HTMLVideoElement> }).consoleCompare;
      return Math.abs(a.currentTime - b.currentTime);
    });
    await page.keyboard.press('Space');
    await expect.poll(gap, { timeout: 5_000 }).toBeLessThanOrEqual(0.5 / 24);
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('ArrowRight');
      await expect.poll(gap, { timeout: 5_000 }).toBeLessThanOrEqual(0.5 / 24);
    }
    await page.keyboard.press('Home');
    await expect.poll(gap, { timeout: 5_000 }).toBeLessThanOrEqual(0.5 / 24);
    await screenshot(page, SHOTS, 'console-compare');

    await openTake(page, 'SEQ02', 2);
    await expect(page.locator('.shots li').nth(1).locator('.prompt').textContent()).resolves.toBe(HOSTILE_PROMPT);
    await page.keyboard.press('a');
    expect(await outcome(page)).not.toMatch(/^refused/);

    // The watching tab saw everything without a reload.
    for (const sequenceId of ['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04', 'SEQ05']) await cardState(watcher, sequenceId, 'approved', 30_000);
    expect(await watcher.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await watcher.bringToFront();
    await expect.poll(() => watcher.locator('.card video').evaluateAll((videos) => videos.every((v) => (v as HTMLVideoElement).readyState >= 2)), { timeout: 20_000 }).toBe(true);
    await screenshot(watcher, SHOTS, 'console-board');

    // History names who decided (escaped), and what each decision did.
    await page.goto(`${console_.url}/p/${projectId}/EP001/s/SEQ02/history`);
    await expect(page.locator('#history tr', { hasText: 'selectFrame accepted' }).count()).resolves.toBe(1);
    await expect(page.locator('#history tr', { hasText: 'retake accepted' }).count()).resolves.toBe(1);
    await screenshot(page, SHOTS, 'console-history');
    await expect(page.locator('#history').textContent()).resolves.toContain('Dana <b>Director</b>');
    await expect(page.locator('#history b').count()).resolves.toBe(0);

    step('delivery');
    // The delivered cut plays.
    await page.goto(`${console_.url}/p/${projectId}/EP001/delivery`);
    await expect.poll(async () => {
      await page.reload();
      return page.locator('#cut-1').count();
    }, { timeout: 180_000, interval: 2_000 }).toBe(1);
    const cut = page.locator('#cut-1');
    await expect.poll(() => cut.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await cut.evaluate((v: HTMLVideoElement) => v.play());
    await expect.poll(() => cut.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(0.5);
    await screenshot(page, SHOTS, 'console-delivery');
    // Every file of the hand-off once, the cut among them, and the manifest that hashes them.
    const listed = await page.locator('#version-1 .files a').allTextContents();
    expect(listed.filter((name) => name === 'EP001_cut.mp4')).toHaveLength(1);
    expect(listed).toEqual(expect.arrayContaining(['EP001.otio', 'EP001.edl', 'manifest.json']));
    expect(listed).toHaveLength(new Set(listed).size);
    const manifestHref = await page.locator('#version-1 .files a', { hasText: 'manifest.json' }).getAttribute('href');
    const manifest = (await (await page.request.get(`${console_.url}${manifestHref}`)).json()) as { files: { path: string }[] };
    expect(manifest.files.map((f) => f.path)).toContain('EP001_cut.mp4');

    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
