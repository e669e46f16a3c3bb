import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { approveSignal } from '../src/contract/sequence.js';
import { freePort, startDevServer, type DevServer } from '../src/temporal/dev-server.js';
import { renderFixtureVideo } from './helpers/fixture-video.js';
import { GatedProvider } from './helpers/gated-provider.js';
import { startHarness, startSequence, waitForStatus, type Harness } from './helpers/harness.js';
import { makeUnit } from './helpers/units.js';

/** Long enough for every poll, heartbeat and completion to fail several times over. */
const OUTAGE_MS = 25_000;

describe('the Temporal server goes away mid-take', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('the worker rides it out: the take finishes and is approved once the server is back', async () => {
    // A server of its own, on its own database file, so stopping it leaves the suite's alone.
    const dataDir = await mkdtemp(join(tmpdir(), 'recoil-outage-temporal-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let server: DevServer = await startDevServer({ dataDir, port, headless: true });
    cleanups.push(() => server.stop());
    const gate = new GatedProvider(await renderFixtureVideo());
    const harness: Harness = await startHarness({ local: gate.provider() }, undefined, undefined, undefined, server.address);
    cleanups.push(() => harness.stop());

    const unit = makeUnit();
    const handle = await startSequence(harness, unit, { retryCapSec: 1 });
    await waitForStatus(handle, (s) => s.state === 'video_generating' && s.takes.length === 1);
    await expect.poll(() => gate.activeKeys.length, { timeout: 30_000 }).toBe(1);

    await server.stop();
    // The take finishes while no server can hear it; a second token lets a resumed wait finish too.
    gate.open(unit);
    await sleep(OUTAGE_MS);
    gate.open(unit);
    server = await startDevServer({ dataDir, port, headless: true });

    await waitForStatus(handle, (s) => s.state === 'video_complete', 120_000);
    await handle.signal(approveSignal, { take: 1, by: 'alice' });
    expect(await handle.result()).toMatchObject({ state: 'approved', approvedTake: 1, takes: [{ take: 1, state: 'complete' }] });
  });
});
