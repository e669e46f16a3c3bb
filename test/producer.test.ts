import { describe, expect, it } from 'vitest';
import type { SequenceDecision } from '../src/review/decisions.js';
import { actAsProducer, nextDecision, type SequenceView } from '../src/client/producer.js';

const view = (state: string, extra: Partial<SequenceView> = {}): SequenceView => ({ sequenceId: 'SEQ01', state, takes: [], grids: [], ...extra });
const policy = { by: 'tester', quadrant: 2 };

describe('the producer', () => {
  it('picks its quadrant of the newest grid, and approves the newest finished take', () => {
    expect(nextDecision(view('frame_review', { grids: [{ grid: 1 }, { grid: 2 }] }), policy)).toEqual({ key: 'SEQ01:g2', decision: { kind: 'selectFrame', grid: 2, quadrant: 2 } });
    expect(nextDecision(view('video_complete', { takes: [{ take: 1 }, { take: 3 }] }), { ...policy, approveNote: 'ok' })).toEqual({
      key: 'SEQ01:t3',
      decision: { kind: 'approve', take: 3, note: 'ok' },
    });
  });

  it('asks for the retake its policy wants instead of approving', () => {
    const retakeFirst = { ...policy, retakeInstead: (v: SequenceView) => (v.takes.length === 1 ? { note: 'slower', shots: { 1: 'new' } } : undefined) };
    expect(nextDecision(view('video_complete', { takes: [{ take: 1 }] }), retakeFirst)?.decision).toEqual({ kind: 'retake', note: 'slower', shots: { 1: 'new' } });
    expect(nextDecision(view('video_complete', { takes: [{ take: 1 }, { take: 2 }] }), retakeFirst)?.decision).toEqual({ kind: 'approve', take: 2 });
  });

  it('stops at a failure unless told to retake failures, and leaves sequences that wait alone', () => {
    expect(() => nextDecision(view('failed', { failure: 'provider said no' }), policy)).toThrow(/SEQ01 failed: provider said no/);
    expect(nextDecision(view('failed', { failure: 'lost reply' }), { ...policy, retakeFailed: true })?.decision).toEqual({ kind: 'retake', note: 'after: lost reply' });
    for (const state of ['pending', 'video_generating', 'frame_generating', 'awaiting_budget', 'approved']) expect(nextDecision(view(state, { takes: [{ take: 1 }] }), policy)).toBeUndefined();
  });

  it('sends each decision once however often it looks, and returns when every sequence is approved', async () => {
    let looks = 0;
    const sent: [string, SequenceDecision][] = [];
    const views = await actAsProducer({
      projectId: 'p',
      episode: 'EP001',
      sequenceIds: ['SEQ01', 'SEQ02'],
      policy,
      // SEQ01 shows its finished take for three looks before the approval lands; SEQ02 starts late.
      watch: async () => {
        looks++;
        return [
          looks <= 3 ? view('video_complete', { takes: [{ take: 1 }] }) : view('approved'),
          looks <= 1 ? undefined : looks <= 4 ? view('frame_review', { sequenceId: 'SEQ02', grids: [{ grid: 1 }] }) : view('approved', { sequenceId: 'SEQ02' }),
        ];
      },
      send: async (ref, decision) => void sent.push([ref.sequenceId, decision]),
      pollMs: 1,
    });
    expect(sent).toEqual([
      ['SEQ01', { kind: 'approve', take: 1 }],
      ['SEQ02', { kind: 'selectFrame', grid: 1, quadrant: 2 }],
    ]);
    expect(views.map((v) => v.state)).toEqual(['approved', 'approved']);
  });
});
