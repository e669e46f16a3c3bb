import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approveSignal } from '../src/contract/sequence.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { startSequence, waitForStatus } from './helpers/harness.js';
import { readTakeJson } from './helpers/take-json.js';
import { makeUnit } from './helpers/units.js';

const t = useGatedHarness({ autoOpenMs: 0 });

describe('critics in the sequence workflow', () => {
  it('keeps a take the critics reject, retakes it automatically once, then hands it to a person with the report', async () => {
    // The provider delivers 6 s where the plan asks for 10 s: the duration critic must catch it.
    const handle = await startSequence(t.harness, makeUnit({ durations: [5, 5] }), { autoRetakes: 1 });
    const status = await waitForStatus(handle, (s) => s.state === 'video_complete');
    expect(status.takes.map((take) => take.state)).toEqual(['rejected_by_critics', 'complete']);
    expect(status.takes[1]!.retakeNote).toMatch(/automatic retake: critics rejected take 1/);
    for (const take of status.takes) {
      expect(take.critics?.ok).toBe(false);
      const manifest = await readTakeJson(take.folder!);
      expect(manifest.critics?.findings.filter((f) => !f.ok)).toMatchObject([{ critic: 'duration', message: expect.stringMatching(/6\.00 s long but the plan asks for 10/) }]);
      await readFile(join(take.folder!, 'video.mp4'));
    }
    expect(status.history.at(-1)!.why).toMatch(/critics flagged it/);
    expect(status.spentUsd).toBe(0);
    await handle.signal(approveSignal, { take: 2, by: 'producer', note: 'short is fine for the animatic' });
    expect((await handle.result()).approvedTake).toBe(2);
  });

  it('passes a good take straight to the person', async () => {
    const handle = await startSequence(t.harness, makeUnit({ durations: [3, 3] }), { autoRetakes: 1 });
    const status = await waitForStatus(handle, (s) => s.state === 'video_complete');
    expect(status.takes).toHaveLength(1);
    expect(status.takes[0]!.critics?.ok).toBe(true);
    await handle.signal(approveSignal, { take: 1, by: 'producer' });
    await handle.result();
  });
});
