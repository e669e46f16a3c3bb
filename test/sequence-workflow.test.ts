import { readFile, mkdir, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { takeDir } from '../src/store/takes/take-folders.js';
import type { TakeManifest } from '../src/store/takes/take-manifest.js';
import { approveSignal, attachToEpisodeSignal, decisionRefusedSignal, generationGrantedSignal, noteSignal, noteUpdate, regenerateFramesSignal, retakeSignal } from '../src/contract/sequence.js';
import { useGatedHarness } from './helpers/gated-harness.js';
import { startSequence, refusals, waitForStatus } from './helpers/harness.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';
import { readTakeJsonOf } from './helpers/take-json.js';
import { makeUnit } from './helpers/units.js';


const t = useGatedHarness();

async function manifestOf(unit: SequenceUnit, take: number): Promise<TakeManifest> {
  return readTakeJsonOf(t.harness.artifactsRoot, { ...unit, take });
}

describe('sequence workflow', () => {
  it('goes pending → video_generating → video_complete → approved and records the approval', async () => {
    const unit = makeUnit();
    const handle = await startSequence(t.harness, unit);
    await waitForStatus(handle, (s) => s.state === 'video_generating');
    t.gate.open(unit);
    const done = await waitForStatus(handle, (s) => s.state === 'video_complete');
    expect(done.takes).toMatchObject([{ take: 1, state: 'complete' }]);
    await handle.signal(approveSignal, { take: 1, by: 'alice', note: 'lovely' });
    const result = await handle.result();
    expect(result.state).toBe('approved');
    expect(result.approvedTake).toBe(1);
    expect(result.history.map((h) => h.to)).toEqual(['video_generating', 'video_complete', 'approved']);
    const manifest = await manifestOf(unit, 1);
    expect(manifest).toMatchObject({ status: 'complete', requestId: 'gated-SEQ01-1', take: 1 });
    expect(manifest.decisions).toMatchObject([{ decision: 'approved', by: 'alice', note: 'lovely' }]);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.getAll().find((p) => p.key.name === 'RecoilState')?.value).toBe('approved');
  });

  it('refuses input it cannot read instead of failing: decisions list the refusal, other signals are logged', async () => {
    const unit = makeUnit();
    const handle = await startSequence(t.harness, unit);
    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    const garbage = <T>(value: unknown) => value as T;
    await handle.signal(approveSignal, garbage(undefined));
    await handle.signal(retakeSignal, garbage({ note: 'no name' }));
    await handle.signal(attachToEpisodeSignal, garbage(null));
    await handle.signal(generationGrantedSignal, garbage('not a ticket'));
    await handle.signal(decisionRefusedSignal, garbage(undefined));
    const refused = await waitForStatus(handle, (s) => refusals(s).length === 2);
    expect(refusals(refused).map((r) => r.reason)).toEqual([
      'a decision must be an object naming who decides ("by"), got nothing',
      'a decision must name who decides ("by")',
    ]);
    await handle.signal(approveSignal, { take: 1, by: 'alice' });
    expect((await handle.result()).approvedTake).toBe(1);
    const { events } = await handle.fetchHistory();
    expect(events?.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
  });

  it('makes a new numbered take on retake, with the new prompt, and keeps the old take', async () => {
    const unit = makeUnit();
    const handle = await startSequence(t.harness, unit);
    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    // Shot keys that would silently change nothing, and prompts fal would refuse, are refused up front.
    await handle.signal(retakeSignal, { by: 'dir', note: 'zero-padded', shots: { '02': 'Close-up' } });
    await handle.signal(retakeSignal, { by: 'dir', note: 'blank', shots: { '1': '   ' } });
    const refused = await waitForStatus(handle, (s) => refusals(s).length === 2);
    expect(refusals(refused).map((r) => r.reason)).toEqual(['shot 02 does not exist (this sequence has shots 1–2)', 'the new prompt for shot 1 is empty']);
    expect(refused.takes).toHaveLength(1);
    await handle.signal(retakeSignal, { by: 'dir', note: 'tighter', shots: { '2': 'Close-up on the wheel @maya' } });
    await waitForStatus(handle, (s) => s.state === 'video_generating' && s.takes.length === 2);
    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete' && s.takes.length === 2);
    await handle.signal(approveSignal, { take: 2, by: 'alice' });
    expect((await handle.result()).approvedTake).toBe(2);

    const first = await manifestOf(unit, 1);
    const second = await manifestOf(unit, 2);
    expect(first.decisions).toMatchObject([{ decision: 'retake', note: 'tighter' }]);
    expect(first.inputs.shots[1]!.prompt).toBe('Shot 2 of the test');
    expect(second.inputs.shots[1]!.prompt).toBe('Close-up on the wheel @maya');
    expect(second.inputs.retakeNote).toBe('tighter');
    await stat(join(takeDir(t.harness.artifactsRoot, { ...unit, take: 1 }), 'video.mp4'));
  });

  it('refuses approval while generating and of an unknown take, changing nothing', async () => {
    const unit = makeUnit();
    const handle = await startSequence(t.harness, unit);
    await waitForStatus(handle, (s) => s.state === 'video_generating');
    await handle.signal(approveSignal, { take: 1, by: 'eager' });
    const whileGenerating = await waitForStatus(handle, (s) => refusals(s).length === 1);
    expect(whileGenerating.state).toBe('video_generating');
    expect(refusals(whileGenerating)[0]).toMatchObject({ decision: 'approve', by: 'eager' });
    expect(refusals(whileGenerating)[0]!.reason).toMatch(/a take is still being generated/);

    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    await handle.signal(approveSignal, { take: 7, by: 'typo' });
    const unknown = await waitForStatus(handle, (s) => refusals(s).length === 2);
    expect(unknown.state).toBe('video_complete');
    expect(refusals(unknown)[1]!.reason).toBe('there is no take 7 (takes: 1)');
    await handle.signal(approveSignal, { take: 1, by: 'alice' });
    expect((await handle.result()).state).toBe('approved');
  });

  it('enforces max_takes_per_sequence: a retake past the limit is refused', async () => {
    const unit = makeUnit();
    const handle = await startSequence(t.harness, unit, { maxTakes: 2 });
    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    await handle.signal(retakeSignal, { by: 'dir', note: 'again' });
    await waitForStatus(handle, (s) => s.takes.length === 2);
    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete' && s.takes.length === 2);
    await handle.signal(retakeSignal, { by: 'dir', note: 'one more' });
    const status = await waitForStatus(handle, (s) => refusals(s).length === 1);
    expect(status.takes).toHaveLength(2);
    expect(status.state).toBe('video_complete');
    expect(refusals(status)[0]!.reason).toMatch(/all 2 takes are used/);
    // New start frames would lead to a third take: refused too, before any grid is paid for.
    await handle.signal(regenerateFramesSignal, { by: 'dir', prompt: 'A wider angle' });
    const regenerate = await waitForStatus(handle, (s) => refusals(s).length === 2);
    expect(refusals(regenerate)[1]).toMatchObject({ decision: 'regenerateFrames', reason: expect.stringMatching(/all 2 takes are used/) });
    expect(regenerate.grids).toEqual([]);
    await handle.signal(approveSignal, { take: 1, by: 'alice' });
    expect((await handle.result()).approvedTake).toBe(1);
  });

  it('counts takes of earlier runs against max_takes_per_sequence', async () => {
    const unit = makeUnit();
    const first = await startSequence(t.harness, unit, { maxTakes: 2 });
    t.gate.open(unit);
    await waitForStatus(first, (s) => s.state === 'video_complete');
    await first.terminate('a producer stopped this run');
    const second = await startSequence(t.harness, unit, { maxTakes: 2 });
    t.gate.open(unit);
    const done = await waitForStatus(second, (s) => s.state === 'video_complete');
    expect(done.takes.map((tk) => tk.take)).toEqual([2]);
    await second.signal(retakeSignal, { by: 'dir', note: 'once more' });
    const refused = await waitForStatus(second, (s) => refusals(s).length === 1);
    expect(refusals(refused)[0]!.reason).toMatch(/all 2 takes are used/);
    await second.signal(approveSignal, { take: 2, by: 'alice' });
    expect((await second.result()).approvedTake).toBe(2);
  });

  it('lets exactly one of two racing approvals win', async () => {
    const unit = makeUnit();
    const handle = await startSequence(t.harness, unit);
    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    await Promise.all([handle.signal(approveSignal, { take: 1, by: 'alice' }), handle.signal(approveSignal, { take: 1, by: 'bob' })]);
    const result = await handle.result();
    expect(result.history.filter((h) => h.to === 'approved')).toHaveLength(1);
    expect(refusals(result)).toHaveLength(1);
    expect(refusals(result)[0]!.reason).toMatch(/already approved/);
    const winner = result.history.at(-1)!.by;
    expect(refusals(result)[0]!.by).toBe(winner === 'alice' ? 'bob' : 'alice');
    expect((await manifestOf(unit, 1)).decisions).toHaveLength(1);
  });

  it('keeps notes on their take beside a racing approval: take.json loses neither; a note on a missing take is refused', async () => {
    const unit = makeUnit();
    const handle = await startSequence(t.harness, unit);
    t.gate.open(unit);
    await waitForStatus(handle, (s) => s.state === 'video_complete');
    const drawing = [{ tool: 'arrow' as const, colour: 'RED' as const, points: [[0.1, 0.1], [0.5, 0.5]] as [number, number][] }];
    const accepted = await handle.executeUpdate(noteUpdate, { args: [{ requestId: 'n-1', by: 'dana', take: 1, frame: 12, shot: 1, text: 'the door', colour: 'RED', drawing }] });
    expect(accepted).toMatchObject({ outcome: 'accepted', detail: 'note on take 1 at frame 12 (shot 1): the door' });
    const refused = await handle.executeUpdate(noteUpdate, { args: [{ requestId: 'n-2', by: 'dana', take: 7, frame: 1, text: 'x' }] }).catch((err: Error) => err);
    expect(((refused as Error).cause as Error | undefined)?.message).toMatch(/there is no take 7/);
    // A note by signal (as a script sends it, without a colour) and the approval arrive together.
    await Promise.all([
      handle.signal(noteSignal, { requestId: 'n-3', by: 'eve', take: 1, frame: 20, endFrame: 30, text: 'too fast' }),
      handle.signal(approveSignal, { take: 1, by: 'alice' }),
    ]);
    const result = await handle.result();
    expect(result.takes[0]!.notes?.map((n) => [n.id, n.frame, n.endFrame, n.colour])).toEqual([['n-1', 12, undefined, 'RED'], ['n-3', 20, 30, 'RED']]);
    const manifest = await manifestOf(unit, 1);
    expect(manifest.notes?.map((n) => n.id)).toEqual(['n-1', 'n-3']);
    expect(manifest.notes?.[0]?.drawing).toEqual(drawing);
    expect(manifest.decisions).toMatchObject([{ decision: 'approved', by: 'alice' }]);
  });

  it('never writes into a take folder left by another run: numbering continues after it', async () => {
    const unit = makeUnit();
    const foreign = takeDir(t.harness.artifactsRoot, { ...unit, take: 1 });
    await mkdir(foreign, { recursive: true });
    const foreignManifest = JSON.stringify({ owner: { workflowId: 'someone-else', runId: 'r0' }, take: 1 });
    await writeFile(join(foreign, 'take.json'), foreignManifest);
    const handle = await startSequence(t.harness, unit);
    t.gate.open(unit);
    const status = await waitForStatus(handle, (s) => s.state === 'video_complete');
    expect(status.takes.map((take) => take.take)).toEqual([2]);
    expect(await readFile(join(foreign, 'take.json'), 'utf8')).toBe(foreignManifest);
    await handle.signal(approveSignal, { take: 2, by: 'alice' });
    await handle.result();
  });
});
