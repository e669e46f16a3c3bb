import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { runProcess } from '../src/activities/media/run-process.js';
import { ensureTemporalCli } from '../src/temporal/cli-binary.js';
import { describe, expect, inject, it } from 'vitest';
import { approveSignal, retakeSignal } from '../src/contract/sequence.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { startSequence, waitForStatus } from './helpers/harness.js';
import { makeUnit } from './helpers/units.js';

const RECORDED = fileURLToPath(new URL('./fixtures/histories/', import.meta.url));

const t = useGatedHarness({ autoOpenMs: 0 });

describe('determinism', () => {
  it('replays a fresh history of a sequence with a refused signal, a retake and an approval', async () => {
    const unit = makeUnit();
    const handle = await startSequence(t.harness, unit, { maxTakes: 3 });
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    await handle.signal(approveSignal, { take: 9, by: 'typo' });
    await handle.signal(retakeSignal, { by: 'dir', note: 'again', shots: { '1': 'New first shot' } });
    await waitForStatus(handle, (s) => s.state === 'video_complete' && s.takes.length === 2);
    await handle.signal(approveSignal, { take: 2, by: 'alice' });
    await handle.result();
    const history = await handle.fetchHistory();
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history)).resolves.toBeUndefined();
    // RECORD_HISTORY=1 keeps this history (as the Temporal CLI exports it) as a fixture future code must replay.
    if (process.env.RECORD_HISTORY) {
      const args = ['workflow', 'show', '-w', handle.workflowId, '-o', 'json', '--address', inject('temporalAddress')];
      const { stdout } = await runProcess(await ensureTemporalCli(), args);
      await writeFile(join(RECORDED, 'sequence-retake-approve.json'), stdout);
    }
  });

  it('replays every recorded history in test/fixtures/histories with today\'s workflow code', async () => {
    const files = (await readdir(RECORDED)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const history: unknown = JSON.parse(await readFile(join(RECORDED, file), 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, file);
    }
  });
});
