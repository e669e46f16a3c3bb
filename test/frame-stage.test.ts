import { readdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { approveSignal, regenerateFramesSignal, retakeSignal, selectFrameSignal } from '../src/contract/sequence.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { startSequence, refusals, waitForStatus } from './helpers/harness.js';
import { makeUnit } from './helpers/units.js';

const t = useGatedHarness({ autoOpenMs: 0 });

describe('start frames from 2x2 grids', () => {
  it('explores a grid, regenerates without losing it, and starts the video from the picked quadrant', async () => {
    const unit = makeUnit({ startFrame: { kind: 'prompt', prompt: 'Rain-soaked highway at night' } });
    const handle = await startSequence(t.harness, unit);
    const first = await waitForStatus(handle, (s) => s.state === 'frame_review');
    expect(first.grids).toHaveLength(1);
    expect(first.grids[0]!.quadrants.map((q) => q.split('/').at(-1))).toEqual(['q1.png', 'q2.png', 'q3.png', 'q4.png']);
    expect(first.grids[0]!.critics?.ok).toBe(true);

    await handle.signal(approveSignal, { take: 1, by: 'eager' });
    await handle.signal(regenerateFramesSignal, { by: 'dir', note: 'moodier', prompt: 'Foggy highway at dawn' });
    const second = await waitForStatus(handle, (s) => s.state === 'frame_review' && s.grids.length === 2);
    expect(refusals(second)[0]!.reason).toMatch(/cannot approve/);
    expect(second.grids.map((g) => [g.grid, g.prompt])).toEqual([
      [1, 'Rain-soaked highway at night'],
      [2, 'Foggy highway at dawn'],
    ]);
    await readFile(second.grids[0]!.gridPath); // the first grid is still there

    await handle.signal(selectFrameSignal, { grid: 1, quadrant: 2, by: 'dir' });
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete');
    expect(done.startFrame).toMatchObject({ grid: 1, quadrant: 2, by: 'dir' });
    const chosen = await readFile(second.grids[0]!.quadrants[1]!);
    expect((await readFile(done.startFrame!.path)).equals(chosen)).toBe(true);
    expect((await readFile(join(done.takes[0]!.folder!, 'start_frame.png'))).equals(chosen)).toBe(true);
    const meta = await sharp(done.startFrame!.path).metadata();
    expect([meta.width, meta.height]).toEqual([1280, 720]);
    const gridJson = JSON.parse(await readFile(join(second.grids[0]!.folder, 'grid.json'), 'utf8'));
    expect(gridJson.chosen).toMatchObject({ quadrant: 2, by: 'dir' });

    // A retake keeps the chosen frame: no new grid, same start frame.
    await handle.signal(retakeSignal, { by: 'dir', note: 'again' });
    const retaken = await waitForStatus(handle, (s) => s.state === 'video_complete' && s.takes.length === 2);
    expect(retaken.grids).toHaveLength(2);
    expect(retaken.takes[1]!.startFrame).toBe(done.startFrame!.path);
    await handle.signal(approveSignal, { take: 2, by: 'producer' });
    expect((await handle.result()).state).toBe('approved');
  });

  it('keeps a pick that could not be applied, and tries it again on retake', async () => {
    const unit = makeUnit({ startFrame: { kind: 'prompt', prompt: 'Toll booth in fog' } });
    const handle = await startSequence(t.harness, unit);
    const review = await waitForStatus(handle, (s) => s.state === 'frame_review');
    const manifest = join(review.grids[0]!.folder, 'grid.json');
    await rename(manifest, `${manifest}.away`);
    await handle.signal(selectFrameSignal, { grid: 1, quadrant: 2, by: 'dir' });
    const failed = await waitForStatus(handle, (s) => s.state === 'failed');
    expect(failed.failure).toMatch(/quadrant 2 of grid 1 could not be made the start frame: .*not stored.*; retake to try this pick again/);
    expect(failed.takes).toEqual([]);
    await rename(`${manifest}.away`, manifest);
    await handle.signal(retakeSignal, { by: 'dir', note: 'the grid is back' });
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete');
    expect(done.startFrame).toMatchObject({ grid: 1, quadrant: 2 });
    expect(done.takes.map((tk) => tk.startFrame)).toEqual([done.startFrame!.path]);
    await handle.terminate('test done');
  });

  it('refuses a pick of a grid or quadrant that does not exist', async () => {
    const unit = makeUnit({ startFrame: { kind: 'prompt', prompt: 'Gas station' } });
    const handle = await startSequence(t.harness, unit);
    await waitForStatus(handle, (s) => s.state === 'frame_review');
    await handle.signal(selectFrameSignal, { grid: 4, quadrant: 1, by: 'typo' });
    await handle.signal(selectFrameSignal, { grid: 1, quadrant: 5, by: 'typo' });
    const status = await waitForStatus(handle, (s) => refusals(s).length === 2);
    expect(status.state).toBe('frame_review');
    expect(refusals(status).map((r) => r.reason)).toEqual(['there is no grid 4 (grids: 1)', 'quadrant must be 1–4 (left to right, top to bottom), got 5']);
    await t.harness.client.workflow.getHandle(handle.workflowId).terminate('test done');
  });

  it('copies a plan start_frame.image into clean/ at the video resolution and skips the grid stage', async () => {
    const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(join(t.harness.artifactsRoot, 'project-')));
    await sharp({ create: { width: 400, height: 400, channels: 3, background: '#c83c28' } }).png().toFile(join(dir, 'frame.png'));
    const unit = makeUnit({ projectDir: dir, startFrame: { kind: 'image', path: 'frame.png' } });
    const handle = await startSequence(t.harness, unit);
    const status = await waitForStatus(handle, (s) => s.state === 'video_complete');
    expect(status.grids).toEqual([]);
    expect(status.history.map((h) => h.to)).not.toContain('frame_generating');
    const meta = await sharp(status.startFrame!.path).metadata();
    expect([meta.width, meta.height]).toEqual([1280, 720]);
    expect(status.startFrame!.path).toMatch(/clean\/start_frame\.png$/);
    await handle.signal(approveSignal, { take: 1, by: 'producer' });
    await handle.result();

    // The producer edits the plan's image and runs again: the new image is used, the old one kept.
    await sharp({ create: { width: 400, height: 400, channels: 3, background: '#2850c8' } }).png().toFile(join(dir, 'frame.png'));
    const rerun = await startSequence(t.harness, unit);
    const again = await waitForStatus(rerun, (s) => s.state === 'video_complete');
    const { channels } = await sharp(again.startFrame!.path).stats();
    expect(channels[2]!.mean).toBeGreaterThan(channels[0]!.mean);
    const kept = (await readdir(dirname(again.startFrame!.path))).filter((f) => /^start_frame\..+\.png$/.test(f));
    expect(kept).toHaveLength(1);
    await rerun.terminate('test done');
  });
});
