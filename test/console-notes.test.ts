import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeInput } from '../src/client/episode-input.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { createLink } from '../src/console/review-links.js';
import { startConsole, type RunningConsole } from '../src/console/server.js';
import { toSequenceUnits } from '../src/domain/sequence-unit.js';
import { loadEpisode } from '../src/project/load-episode.js';
import { providersFromEnv } from '../src/worker/providers-from-env.js';
import { launchBrowser, reviewerContext, screenshot } from './helpers/browser.js';
import { pageErrorsOf, sayWhoIAm } from './helpers/console-page.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { shippedPricing } from './helpers/pricing.js';
import { stopConsoleStack } from './helpers/console-stack.js';
import { makeProject } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { readTakeJsonOf } from './helpers/take-json.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const SHOTS = fileURLToPath(new URL('../docs', import.meta.url));

let harness: Harness;
let console_: RunningConsole;
let browser: Browser;
let context: BrowserContext;
let projectId: string;
/** A second project running beside the first, for the queue across projects. */
let otherProjectId: string;

/** One sequence (SEQ01: shots of 5, 5 and 4 s at 24 fps) made by the offline provider. */
async function startOneSequenceEpisode(id: string): Promise<void> {
  const dir = await makeProject((files) => {
    files.project.id = id;
    files.plan.sequences = files.plan.sequences.slice(0, 1);
  });
  const pricing = await shippedPricing();
  const loaded = await loadEpisode(dir, 'EP001');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  await startOrFindEpisode(harness.client, episodeInput({ ...loaded, units: toSequenceUnits({ ...loaded, pricing }) }, 'local', 'notes-test'), harness.taskQueue);
}

beforeAll(async () => {
  projectId = `notes-${randomUUID().slice(0, 8)}`;
  otherProjectId = `notes-other-${randomUUID().slice(0, 8)}`;
  const artifactsRoot = await mkdtemp(join(tmpdir(), 'recoil-notes-'));
  const { providers, gridProviders } = providersFromEnv(artifactsRoot, await shippedPricing(), {});
  harness = await startHarness(providers, undefined, artifactsRoot, gridProviders);
  await startOneSequenceEpisode(otherProjectId);
  await startOneSequenceEpisode(projectId);
  console_ = await startConsole({ client: harness.client, connection: harness.connection, namespace: 'default', store: new LocalFolderStore(harness.artifactsRoot), port: 0 });
  browser = await launchBrowser();
  context = await reviewerContext(browser);
  context.setDefaultTimeout(30_000);
});

afterAll(() => stopConsoleStack({ browser, console: console_, harness }));

const dailies = () => `${console_.url}/p/${projectId}/EP001/dailies?seq=SEQ01&take=1`;
const frameOf = (page: Page) => page.locator('#player').getAttribute('data-frame');

async function noteOutcome(page: Page): Promise<string> {
  const slot = page.locator('#note-outcome-player-1');
  await expect.poll(async () => (await slot.textContent()) ?? '', { timeout: 20_000 }).toMatch(/^(accepted|refused|recorded)/);
  return (await slot.textContent()) ?? '';
}

/** Home, then whole seconds and single frames with the keys, as a reviewer moves to a frame. */
async function goToFrame(page: Page, frame: number): Promise<void> {
  await page.keyboard.press('Home');
  for (let i = 0; i < Math.floor(frame / 24); i++) await page.keyboard.press('Shift+ArrowRight');
  await expect.poll(() => frameOf(page)).toBe(String(Math.floor(frame / 24) * 24));
  for (let i = 0; i < frame % 24; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => frameOf(page)).toBe(String(frame));
}

async function openTake(page: Page): Promise<void> {
  await page.goto(dailies());
  await page.locator('.review[data-sequence="SEQ01"][data-take="1"]').waitFor();
  await expect.poll(() => page.locator('#player-video').evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
}

describe('notes on frames in the console, in a real browser', () => {
  it('pins a note with a drawing to a frame and a note to a range; both come back after a reload, in take.json and in History, and a retake gathers them', { timeout: 600_000 }, async () => {
    const page = await context.newPage();
    const pageErrors = pageErrorsOf(page);
    await page.goto(`${console_.url}/p/${projectId}/EP001/board`);
    await sayWhoIAm(page, 'Dana');
    await page.locator('#card-SEQ01[data-state="video_complete"]').waitFor({ timeout: 240_000 });

    await openTake(page);
    await goToFrame(page, 50);
    // N pins the note to the paused frame; a rectangle is drawn over the picture in yellow.
    await page.keyboard.press('n');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('text');
    await expect(page.locator('[data-note-where]').textContent()).resolves.toBe('frame 50');
    await page.locator('.note-form [data-tool="rect"]').click();
    await page.locator('.note-form [data-colour="YELLOW"]').click();
    const overlay = page.locator('#player [data-overlay]');
    const box = (await overlay.boundingBox())!;
    expect(box.width / box.height).toBeCloseTo(16 / 9, 1);
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.5, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.7, { steps: 4 });
    await page.mouse.up();
    await expect(overlay.locator('rect').count()).resolves.toBe(1);
    await page.locator('.note-form textarea[name=text]').fill('His hand clips the door — here');
    await page.locator('.note-form textarea[name=text]').press('Control+Enter');
    expect(await noteOutcome(page)).toMatch(/^accepted: note on take 1 at frame 50 \(shot 1\)/);
    await expect.poll(() => page.locator('.note-item').count(), { timeout: 20_000 }).toBe(1);

    // A range: in at 6 s (shot 2), out a second later.
    await page.locator('#player-video').click();
    await goToFrame(page, 144);
    await page.keyboard.press('i');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('o');
    await expect(page.locator('[data-note-where]').textContent()).resolves.toBe('frames 144–168');
    expect(await page.locator('#player [data-range]').isHidden()).toBe(false);
    await page.keyboard.press('n');
    await page.keyboard.type('Too fast through the turn');
    await page.keyboard.press('Control+Enter');
    expect(await noteOutcome(page)).toMatch(/^accepted: note on take 1 at frames 144–168 \(shot 2\)/);
    await expect.poll(() => page.locator('.note-item').count(), { timeout: 20_000 }).toBe(2);

    // After a reload: both listed with their timecode and shot; a click shows the frame and its drawing.
    await openTake(page);
    const items = page.locator('.note-item');
    await expect(items.count()).resolves.toBe(2);
    await expect(items.nth(0).locator('.tc').textContent()).resolves.toBe('00:00:02:02');
    await expect(items.nth(0).locator('.where').textContent()).resolves.toBe('frame 50 · shot 1 · drawing');
    await expect(items.nth(1).locator('.where').textContent()).resolves.toBe('frames 144–168 · shot 2');
    await page.locator('#player-video').click();
    await page.keyboard.press('End');
    await items.nth(0).click();
    await expect.poll(() => frameOf(page)).toBe('50');
    expect(await page.locator('#player-video').evaluate((v: HTMLVideoElement) => v.paused)).toBe(true);
    const rect = overlay.locator('rect');
    await expect(rect.count()).resolves.toBe(1);
    const shown = (await overlay.boundingBox())!;
    const drawn = (await rect.boundingBox())!;
    expect((drawn.x - shown.x) / shown.width).toBeCloseTo(0.25, 1);
    expect((drawn.y - shown.y) / shown.height).toBeCloseTo(0.25, 1);
    expect((drawn.x + drawn.width - shown.x) / shown.width).toBeCloseTo(0.6, 1);
    expect((drawn.y + drawn.height - shown.y) / shown.height).toBeCloseTo(0.7, 1);
    await screenshot(page, SHOTS, 'console-notes');
    // Moving on takes the drawing away with its frame.
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => overlay.locator('rect').count()).toBe(0);

    // Kept on the take, with the frame, the range and the drawing's vectors.
    const takeJson = await readTakeJsonOf(harness.artifactsRoot, { projectId, episode: 'EP001', sequenceId: 'SEQ01', take: 1 });
    expect(takeJson.notes).toHaveLength(2);
    expect(takeJson.notes![0]).toMatchObject({ frame: 50, shot: 1, colour: 'YELLOW', by: 'Dana', text: 'His hand clips the door — here' });
    const [corner1, corner2] = takeJson.notes![0]!.drawing![0]!.points;
    expect(takeJson.notes![0]!.drawing![0]!.tool).toBe('rect');
    expect(corner1![0]).toBeCloseTo(0.25, 1);
    expect(corner2![1]).toBeCloseTo(0.7, 1);
    expect(takeJson.notes![1]).toMatchObject({ frame: 144, endFrame: 168, shot: 2 });

    // The retake form starts from the notes, each with its shot and timecode.
    const retakeNote = page.locator('#retake-form textarea[name=note]');
    await expect(retakeNote.inputValue()).resolves.toBe(
      'shot 1 · 00:00:02:02 (frame 50): His hand clips the door — here\nshot 2 · 00:00:06:00 (frames 144–168): Too fast through the turn',
    );
    await expect(page.locator('#retake-form textarea[name="shot-2"] ~ .shot-note').textContent()).resolves.toContain('Too fast through the turn');

    // A note past the take's last frame is refused with the take's frame range.
    const refused = await page.evaluate(async (url) => {
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'note', take: 1, frame: 100000, text: 'x' }) });
      return response.json();
    }, `/p/${projectId}/EP001/s/SEQ01/decide`);
    expect(refused.reason).toMatch(/frames are 0–\d+/);

    await page.goto(`${console_.url}/p/${projectId}/EP001/s/SEQ01/history`);
    await expect(page.locator('#history tr', { hasText: 'note accepted' }).count()).resolves.toBe(2);
    expect(pageErrors).toEqual([]);
  });

  it('compares like RV: a wipe dragged over one picture, A/B toggled with no black frame, B offset by frames, all kept in the URL', { timeout: 600_000 }, async () => {
    const page = await context.newPage();
    const pageErrors = pageErrorsOf(page);
    // A second take to compare with: the retake the notes asked for.
    await openTake(page);
    await page.locator('#retake-form textarea[name=note]').press('Control+Enter');
    await expect.poll(async () => (await page.locator('#decide-outcome').textContent()) ?? '', { timeout: 20_000 }).toMatch(/^accepted/);
    await page.goto(`${console_.url}/p/${projectId}/EP001/board`);
    await expect.poll(async () => {
      await page.reload();
      return page.locator('#card-SEQ01[data-state="video_complete"]').count();
    }, { timeout: 240_000, interval: 1_000 }).toBe(1);

    await page.goto(`${console_.url}/p/${projectId}/EP001/s/SEQ01/compare?a=1&b=2`);
    const [lead, follow] = [page.locator('#lead-video'), page.locator('#follow-video')];
    for (const video of [lead, follow]) await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    // A note on B: a click on its picture makes N write on B, at B's frame.
    await follow.click();
    await page.keyboard.press('n');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('form')?.id)).toBe('note-form-follow-2');
    await page.keyboard.type('Warmer than t001');
    await page.keyboard.press('Control+Enter');
    await expect.poll(async () => (await page.locator('#note-outcome-follow-2').textContent()) ?? '', { timeout: 20_000 }).toMatch(/^accepted: note on take 2 at frame 0 \(shot 1\): Warmer than t001/);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#notes-follow-2 .note-item').count(), { timeout: 20_000 }).toBe(1);
    const times = () => page.evaluate(() => {
      const { lead: a, follow: b } = (window as unknown as { consoleCompare: Record<'lead' | 'follow', HTMLVideoElement> }).consoleCompare;
      return { a: a.currentTime, b: b.currentTime };
    });
    const offsetIs = async (frames: number) => expect.poll(async () => { const t = await times(); return Math.abs(t.b - t.a - frames / 24); }, { timeout: 5_000 }).toBeLessThanOrEqual(0.5 / 24);

    // Wipe: B is laid over A's picture, cut at the split line, which a drag moves.
    await page.keyboard.press('w');
    await expect(page.locator('[data-compare]').getAttribute('data-view')).resolves.toBe('wipe');
    expect(await follow.evaluate((v) => v.parentElement === document.querySelector('#lead-video')!.parentElement)).toBe(true);
    // The picture itself, inside the video element's letterbox: the notes overlay covers exactly it.
    const element = (await lead.boundingBox())!;
    const picture = (await page.locator('#lead [data-overlay]').boundingBox())!;
    const handle = page.locator('.wipe-handle');
    const grip = (await handle.boundingBox())!;
    expect(grip.x + grip.width / 2).toBeCloseTo(picture.x + picture.width / 2, -1);
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(picture.x + picture.width * 0.3, grip.y + grip.height / 2, { steps: 5 });
    await page.mouse.up();
    const inset = await follow.evaluate((v) => Number(/inset\(0px 0px 0px ([\d.]+)px\)/.exec(v.style.clipPath)?.[1]));
    expect((inset - (picture.x - element.x)) / picture.width).toBeCloseTo(0.3, 1);
    expect(new URL(page.url()).searchParams.get('view')).toBe('wipe');
    expect(Number(new URL(page.url()).searchParams.get('split'))).toBeCloseTo(0.3, 1);
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await offsetIs(0);
    await screenshot(page, SHOTS, 'console-wipe');

    // B three frames later than A, stepping and paused.
    for (let i = 0; i < 3; i++) await page.keyboard.press(']');
    await offsetIs(3);
    await page.keyboard.press('ArrowRight');
    await offsetIs(3);
    expect(new URL(page.url()).searchParams.get('offset')).toBe('3');

    // A/B on one picture: both keep decoding, so whichever shows has its frame ready.
    await page.keyboard.press('t');
    await expect(page.locator('[data-showing]').textContent()).resolves.toBe('showing A');
    expect(await follow.evaluate((v) => getComputedStyle(v).visibility)).toBe('hidden');
    await page.keyboard.press('t');
    await expect(page.locator('[data-showing]').textContent()).resolves.toBe('showing B');
    expect(await follow.evaluate((v: HTMLVideoElement) => [getComputedStyle(v).visibility, v.style.clipPath, v.readyState >= 2])).toEqual(['visible', 'none', true]);
    await offsetIs(3);

    // The URL brings back the same comparison on the same frame.
    const frame = await page.locator('#lead').getAttribute('data-frame');
    await page.goto(page.url());
    for (const video of [lead, follow]) await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect(page.locator('[data-compare]').getAttribute('data-view')).resolves.toBe('toggle');
    await expect(page.locator('[data-offset]').inputValue()).resolves.toBe('3');
    await expect.poll(() => page.locator('#lead').getAttribute('data-frame')).toBe(frame);
    await offsetIs(3);
    expect(pageErrors).toEqual([]);
  });

  it('one queue: what waits across every episode of every project, oldest first, following decisions live', { timeout: 300_000 }, async () => {
    const page = await context.newPage();
    const mine = (item: string) => item.startsWith(`${projectId}/`) || item.startsWith(`${otherProjectId}/`);
    const queued = async () => (await page.locator('#studio-queue [data-queue-item]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-queue-item')!))).filter(mine);
    await page.goto(`${console_.url}/queue`);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    // The other project's take finished first (its episode started first), so it is listed first.
    await expect.poll(queued, { timeout: 60_000 }).toEqual([`${otherProjectId}/EP001/SEQ01`, `${projectId}/EP001/SEQ01`]);
    await screenshot(page, SHOTS, 'console-queue');
    await page.locator(`[data-queue-item="${otherProjectId}/EP001/SEQ01"] a`, { hasText: 'review t001' }).click();
    await page.locator('.review[data-sequence="SEQ01"][data-take="1"]').waitFor();
    expect(page.url()).toContain(`/p/${otherProjectId}/EP001/dailies?seq=SEQ01&take=1`);
    await page.goBack();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    // Approved from elsewhere (the CLI's way), it leaves the open queue by itself.
    const decided = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'approve', take: 1 }) })).json(), `/p/${otherProjectId}/EP001/s/SEQ01/decide`);
    expect(decided.kind).toBe('accepted');
    await expect.poll(queued, { timeout: 30_000 }).toEqual([`${projectId}/EP001/SEQ01`]);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  it('client review links: a guest sees only the takes of their link, leaves notes and a verdict a director confirms, and reaches nothing else', { timeout: 300_000 }, async () => {
    // The console as a studio exposes it to clients: beyond loopback, so everything but a review link needs the console's token.
    const secured = await startConsole({ client: harness.client, connection: harness.connection, namespace: 'default', store: new LocalFolderStore(harness.artifactsRoot), host: '0.0.0.0', port: 0 });
    const origin = new URL(secured.url).origin;
    const producer = await context.browser()!.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const guestContext = await context.browser()!.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    try {
      const desk = await producer.newPage();
      await desk.goto(secured.url);
      await desk.goto(`${origin}/p/${projectId}/EP001/links`);
      await sayWhoIAm(desk, 'Pat Producer');
      await desk.locator('#new-link-form input[name=guest]').fill('Jo at Acme');
      await desk.locator('#new-link-form input[name=takes]').fill('SEQ01:2');
      await desk.locator('#new-link-form button[type=submit]').click();
      await expect.poll(async () => (await desk.locator('#link-outcome').textContent()) ?? '', { timeout: 20_000 }).toMatch(/^accepted: link for Jo at Acme/);
      const address = /(http:\/\/\S+\/review\/[\w-]+)/.exec((await desk.locator('#link-outcome').textContent())!)![1]!;
      const token = address.split('/review/')[1]!;
      await desk.reload();
      await expect(desk.locator('#links tr[data-link]').count()).resolves.toBe(1);

      // The guest: no console cookie, only the link.
      const guest = await guestContext.newPage();
      const guestErrors: string[] = [];
      guest.on('pageerror', (e) => guestErrors.push(e.message));
      await guest.goto(address);
      expect(new URL(guest.url()).pathname).toBe(`/review/${token}/dailies`);
      await expect(guest.locator('[data-guest-take]').evaluateAll((items) => items.map((i) => i.getAttribute('data-guest-take')))).resolves.toEqual(['SEQ01/2']);
      await expect(guest.locator('header.top').textContent()).resolves.toContain('for Jo at Acme');
      await expect(guest.locator('form[data-whoami], a[href="/queue"], nav').count()).resolves.toBe(0);
      const video = guest.locator('#player-video');
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      await guest.locator('#player-video').click();
      await goToFrame(guest, 30);
      await guest.keyboard.press('n');
      await guest.keyboard.type('Can the van be red?');
      await guest.keyboard.press('Control+Enter');
      await expect.poll(async () => (await guest.locator('#note-outcome-player-2').textContent()) ?? '', { timeout: 20_000 }).toMatch(/^accepted: note on take 2 at frame 30 \(shot 1\): Can the van be red\?/);
      await guest.locator('#verdict-form textarea[name=text]').fill('Lovely, ship it');
      await guest.locator('#verdict-form button[type=submit]').click();
      await expect.poll(async () => (await guest.locator('#verdict-outcome').textContent()) ?? '', { timeout: 20_000 }).toMatch(/^accepted: client verdict on take 2: approved \(for a director to confirm\)/);
      await screenshot(guest, SHOTS, 'console-guest');

      // Nothing but the link's own routes, and nothing there that costs money or reaches beyond its takes.
      const tryAs = (path: string, body?: unknown) =>
        guest.evaluate(async ([url, payload]) => {
          const response = await fetch(url as string, payload === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
          return response.status;
        }, [path, body] as const);
      const consoleRoutes = [
        [`/p/${projectId}/EP001/board`],
        [`/p/${projectId}/EP001/dailies`],
        [`/p/${otherProjectId}/EP001/board`],
        [`/media/take/${projectId}/EP001/SEQ01/1/video`],
        ['/queue'],
        ['/'],
        [`/events/p/${projectId}/EP001`],
        [`/p/${projectId}/EP001/links`],
        [`/p/${projectId}/EP001/s/SEQ01/decide`, { kind: 'approve', take: 2 }],
        [`/p/${projectId}/EP001/s/SEQ01/decide`, { kind: 'retake', note: 'again' }],
        [`/p/${projectId}/EP001/s/SEQ01/decide`, { kind: 'regenerateFrames' }],
        [`/p/${projectId}/EP001/budget`, { budgetUsd: 1000 }],
        [`/p/${projectId}/EP001/redeliver`, {}],
        [`/p/${projectId}/EP001/links`, { guest: 'me', days: 90 }],
      ] as const;
      for (const [path, body] of consoleRoutes) expect({ path, status: await tryAs(path, body) }).toEqual({ path, status: 401 });
      const linkRoutes = [
        [`/review/${token}/media/SEQ01/1`],
        [`/review/${token}/media/SEQ02/1`],
        [`/review/${token}/media/..%2F..%2F..%2Fetc/1`],
        [`/review/${token}/compare?seq=SEQ01&a=1&b=2`],
        [`/review/${token}/s/SEQ01/note`, { take: 1, frame: 3, text: 'not mine' }],
        [`/review/${token}/s/SEQ01/verdict`, { take: 1, verdict: 'approved' }],
        [`/review/${token.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'))}/dailies`],
      ] as const;
      for (const [path, body] of linkRoutes) expect({ path, status: await tryAs(path, body) }).toEqual({ path, status: 404 });
      // The note route takes notes only: an approval sent there is no note, and a verdict in a note is dropped.
      expect(await tryAs(`/review/${token}/s/SEQ01/note`, { kind: 'approve', take: 2 })).toBe(400);
      const sneaky = await guest.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ take: 2, frame: 1, text: 'sneaky', verdict: 'approved' }) })).json(), `/review/${token}/s/SEQ01/note`);
      expect(sneaky.detail).toMatch(/^note on take 2 at frame 1/);
      await guest.goto(`${origin}/review/${token}/dailies?seq=SEQ01&take=1`);
      await expect(guest.locator('#player-video').getAttribute('src')).resolves.toBe(`/review/${token}/media/SEQ01/2`);

      // The director sees the guest's words by name and decides; the verdict approved nothing.
      await desk.goto(`${origin}/p/${projectId}/EP001/s/SEQ01/history`);
      await expect(desk.locator('#history tr', { hasText: 'Jo at Acme (client)' }).count()).resolves.toBe(3);
      await expect(desk.locator('#history tr', { hasText: 'client verdict on take 2: approved' }).count()).resolves.toBe(1);
      await desk.goto(`${origin}/p/${projectId}/EP001/dailies?seq=SEQ01&take=2`);
      await expect(desk.locator('.note-item .verdict-approved').count()).resolves.toBe(1);
      await expect(desk.locator('#review-state').textContent()).resolves.toContain('video complete');

      // Withdrawn, the link opens nothing at once; `recoil links` shows it withdrawn.
      await desk.goto(`${origin}/p/${projectId}/EP001/links`);
      await desk.locator(`#links tr[data-link] button`).click();
      await expect.poll(async () => (await desk.locator('#link-outcome').textContent()) ?? '', { timeout: 20_000 }).toMatch(/^accepted: link \w+ for Jo at Acme withdrawn/);
      const refused = await guest.goto(`${origin}/review/${token}/dailies`);
      expect(refused!.status()).toBe(404);
      await expect(guest.locator('main').textContent()).resolves.toContain('withdrawn');
      expect(await tryAs(`/review/${token}/media/SEQ01/2`)).toBe(404);
      const listed = await runCli(['links', 'list', projectId, '--json'], { RECOIL_ARTIFACTS_DIR: harness.artifactsRoot });
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ guest: 'Jo at Acme', state: 'revoked', revokedBy: 'Pat Producer', takes: [{ sequenceId: 'SEQ01', take: 2 }] })]);
      expect(listed.stdout).not.toContain(token);

      // An expired link opens nothing either.
      const old = await createLink(new LocalFolderStore(harness.artifactsRoot), { projectId, episode: 'EP001', guest: 'Late', days: 1, createdBy: 'Pat' }, new Date(Date.now() - 2 * 86_400_000));
      await guest.goto(`${origin}/review/${old.token}/dailies`);
      await expect(guest.locator('main').textContent()).resolves.toContain('expired');
      expect(guestErrors).toEqual([]);
    } finally {
      await producer.close();
      await guestContext.close();
      await secured.close();
    }
  });
});
