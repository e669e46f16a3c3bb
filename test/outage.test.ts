import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approveSignal } from '../src/contract/sequence.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { startSequence, waitForStatus } from './helpers/harness.js';
import { readTakeJsonOf } from './helpers/take-json.js';
import { makeUnit } from './helpers/units.js';

const t = useGatedHarness();

/** Bookkeeping used to give up after this many attempts (about five minutes at the default backoff). */
const OLD_ATTEMPT_LIMIT = 10;

describe('an outage longer than the retries used to last', () => {
  it('the artifacts disk away while an approval is recorded: the sequence waits it out and finishes', async () => {
    const unit = makeUnit();
    // Retries at most a second apart, so the old limit of attempts passes in seconds, not minutes.
    const handle = await startSequence(t.harness, unit, { retryCapSec: 1 });
    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete');

    // The project's folder answers like a failed mount: every read and write under it errors.
    const projectDir = join(t.harness.artifactsRoot, unit.projectId);
    const away = `${projectDir}.away`;
    await rename(projectDir, away);
    await writeFile(projectDir, 'not a folder while the disk is away');
    await handle.signal(approveSignal, { take: 1, by: 'alice' });

    const attempts = async () => (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'recordTakeDecision')?.attempt ?? 0;
    await expect.poll(attempts, { timeout: 90_000, interval: 500 }).toBeGreaterThan(OLD_ATTEMPT_LIMIT);
    const status = await handle.describe();
    expect(status.status.name).toBe('RUNNING');

    await rm(projectDir);
    await rename(away, projectDir);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'approved', approvedTake: 1 });
    expect((await readTakeJsonOf(t.harness.artifactsRoot, { ...unit, take: 1 })).decisions).toMatchObject([{ decision: 'approved', by: 'alice' }]);
  });
});
