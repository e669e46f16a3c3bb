import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TakeManifest } from '../src/store/takes/take-manifest.js';
import type { TakeSummary } from '../src/contract/sequence.js';
import { dailiesBody, type DailiesView } from '../src/console/pages/dailies.js';
import { page } from '../src/console/pages/layout.js';
import { headers } from '../src/console/security.js';
import { loadStaticFiles } from '../src/console/static-files.js';
import type { CriticReport } from '../src/domain/critic-report.js';
import { launchBrowser, reviewerContext } from './helpers/browser.js';

const TAKE_SECONDS = 6;

const critics: CriticReport = {
  ok: false,
  checkedAt: '2026-12-02T10:00:00.000Z',
  findings: [
    { critic: 'decodes', ok: true, message: 'decodes cleanly (h264)' },
    { critic: 'duration', ok: false, message: '5.00 s long but the plan asks for 6 s ± 0.5 s' },
    { critic: 'black', ok: true, message: 'not mostly black (25% of its 6.00 s is black)', stretches: [{ startSec: 2, endSec: 3.5 }] },
    {
      critic: 'frozen',
      ok: false,
      message: 'mostly frozen: 75% of its 6.00 s is frozen',
      stretches: [{ startSec: 0, endSec: 1.5 }, { startSec: 3, endSec: 6 }],
    },
  ],
};

function dailiesView(): DailiesView {
  const take: TakeSummary = { take: 1, state: 'complete', videoPath: '/takes/t001/video.mp4', estimatedCostUsd: 0, durationSec: TAKE_SECONDS, critics, startedAt: '2026-12-02T09:00:00.000Z' };
  const manifest: TakeManifest = {
    schemaVersion: 1, projectId: 'proj', episode: 'EP001', sequenceId: 'SEQ01', take: 1,
    owner: { workflowId: 'proj/EP001/SEQ01', runId: 'run' }, provider: 'local', model: 'animatic',
    inputs: {
      shots: [{ prompt: 'Wide shot of the highway', providerPrompt: 'Wide shot of the highway', duration: TAKE_SECONDS }],
      elements: [], startFrame: null, aspectRatio: '16:9', resolution: { width: 1280, height: 720 }, generateAudio: false, totalDurationSec: TAKE_SECONDS,
    },
    status: 'complete', estimatedCostUsd: 0, video: { file: 'video.mp4', durationSec: TAKE_SECONDS, width: 1280, height: 720, frameRate: '24' },
    critics, decisions: [], times: { createdAt: '2026-12-02T09:00:00.000Z' },
  };
  const row = {
    workflowId: 'proj/EP001/SEQ01', episode: 'EP001', sequenceId: 'SEQ01', state: 'video_complete', spentUsd: 0, running: true,
    status: {
      projectId: 'proj', episode: 'EP001', sequenceId: 'SEQ01', state: 'video_complete' as const, takes: [take], grids: [], maxTakes: 5,
      spentUsd: 0, estimatedTakeCostUsd: 0, history: [], decisions: [],
    },
  };
  return { snapshot: { projectId: 'proj', episode: 'EP001', sequences: [row] }, selected: { row, take, manifest } };
}

const dailiesHtml = () => String(page({ title: 'Dailies', tab: 'dailies', user: 'tester', body: dailiesBody(dailiesView()) }));

describe('critics on the Dailies timeline', () => {
  it('renders a mark per black or frozen stretch, named and placed by its seconds', () => {
    const body = dailiesHtml();
    expect(body).toContain('<div class="finding passed" data-start="2" data-end="3.5" title="black 2.0–3.5 s">black</div>');
    expect(body).toContain('<div class="finding failed" data-start="0" data-end="1.5" title="frozen 0.0–1.5 s">frozen</div>');
    expect(body).toContain('<div class="finding failed" data-start="3" data-end="6" title="frozen 3.0–6.0 s">frozen</div>');
    expect(body).toContain('<button type="button" class="seek" data-seek="3">frozen 3.0–6.0 s</button>');
  });

  it('keeps the whole-take bar for a failing critic that cannot say where', () => {
    const body = dailiesHtml();
    expect(body).toContain('<div class="finding failed" data-whole title="duration: 5.00 s long but the plan asks for 6 s ± 0.5 s">duration</div>');
    expect(body.match(/class="finding /g)).toHaveLength(4);
  });
});

describe('critics on the Dailies timeline, in a browser', () => {
  let browser: Browser;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const files = await loadStaticFiles();
    const app = new Hono();
    app.use(headers());
    app.get('/', (c) => c.html(dailiesHtml()));
    app.get('/static/:name', (c) => {
      const file = files.get(c.req.param('name'));
      return file ? c.body(file.body, 200, { 'Content-Type': file.type }) : c.notFound();
    });
    server = await new Promise<Server>((resolve) => {
      const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started as Server)) as Server;
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('places each stretch at its share of the take, under the page’s CSP', async () => {
    const context = await reviewerContext(browser);
    const tab = await context.newPage();
    const refused: string[] = [];
    tab.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    await tab.goto(base);
    const stretchMarks = tab.locator('#player .timeline .finding[data-start]');
    await expect.poll(() => stretchMarks.first().evaluate((el) => (el as HTMLElement).style.left)).not.toBe('');
    const boxes = await tab.locator('#player .timeline').evaluate((timeline) => {
      const line = timeline.getBoundingClientRect();
      return [...timeline.querySelectorAll('.finding')].map((el) => {
        const box = el.getBoundingClientRect();
        return { title: el.getAttribute('title'), left: (box.left - line.left) / line.width, width: box.width / line.width };
      });
    });
    const near = (n: number) => expect.closeTo(n, 2);
    expect(boxes).toEqual([
      { title: 'duration: 5.00 s long but the plan asks for 6 s ± 0.5 s', left: near(0), width: near(1) },
      { title: 'black 2.0–3.5 s', left: near(2 / 6), width: near(1.5 / 6) },
      { title: 'frozen 0.0–1.5 s', left: near(0), width: near(1.5 / 6) },
      { title: 'frozen 3.0–6.0 s', left: near(3 / 6), width: near(3 / 6) },
    ]);
    expect(refused).toEqual([]);
    await context.close();
  });
});
