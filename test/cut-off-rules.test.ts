import { describe, expect, it } from 'vitest';
import { judgeCutOffSubmission, type BilledJob, type CutOffTake, type SettlementFacts } from '../src/domain/cut-off-submissions.js';

const RULES = { longestRunMs: 20 * 60_000, recordsLagMs: 5 * 60_000 };
const ENDPOINT = 'fal-ai/kling-video/o3/standard/reference-to-video';
const T0 = Date.parse('2026-12-02T10:00:00Z');
const min = (n: number) => n * 60_000;

function take(label: string, seconds: number, submittingAt = T0): CutOffTake {
  return { label, endpoint: ENDPOINT, seconds, submittingAt, cutOffAt: submittingAt + 5_000 };
}
function billed(requestId: string, outputUnits: number, billedAt = T0 + min(2), endpoint = ENDPOINT): BilledJob {
  return { requestId, endpoint, billedAt, outputUnits, costUsd: outputUnits * 0.084 };
}
function judge(facts: Partial<SettlementFacts> & { take: CutOffTake }) {
  return judgeCutOffSubmission({ otherCutOff: [], known: [], billed: [], now: T0 + min(3), ...facts }, RULES);
}

describe('settling a cut-off submission from fal\'s billing records', () => {
  it('adopts the one unclaimed billed job of the same endpoint and length', () => {
    const verdict = judge({ take: take('SEQ01 take 1', 6), billed: [billed('other-length', 7), billed('claimed', 6), billed('mine', 6), billed('other-model', 6, T0 + min(2), 'fal-ai/kling-video/o3/pro/reference-to-video')], known: [{ requestId: 'claimed', submittedAt: T0, finishedAt: T0 + min(2) }] });
    expect(verdict).toEqual({ kind: 'adopt', requestId: 'mine', costUsd: 6 * 0.084 });
  });

  it('never adopts a job billed before the submission began', () => {
    expect(judge({ take: take('SEQ01 take 1', 6), billed: [billed('old', 6, T0 - min(10))] }).kind).toBe('wait');
  });

  it('matches several cut-off takes one to one when their lengths tell them apart', () => {
    const a = take('SEQ01 take 1', 6);
    const b = take('SEQ02 take 1', 8);
    const records = [billed('job-a', 6), billed('job-b', 8)];
    expect(judge({ take: a, otherCutOff: [b], billed: records })).toMatchObject({ kind: 'adopt', requestId: 'job-a' });
    expect(judge({ take: b, otherCutOff: [a], billed: records })).toMatchObject({ kind: 'adopt', requestId: 'job-b' });
  });

  it('guesses nothing when two takes cannot be told apart: it waits, then asks a person', () => {
    const a = take('SEQ01 take 1', 6);
    const b = take('SEQ02 take 1', 6);
    const records = [billed('job-1', 6), billed('job-2', 6)];
    expect(judge({ take: a, otherCutOff: [b], billed: records }).kind).toBe('wait');
    const late = judge({ take: a, otherCutOff: [b], billed: records, now: T0 + min(80) });
    expect(late).toMatchObject({ kind: 'undecided', why: expect.stringMatching(/job-1, job-2.*cannot be told/) });
    expect(judge({ take: a, otherCutOff: [b], billed: [billed('job-1', 6)], now: T0 + min(80) })).toMatchObject({ kind: 'undecided', why: expect.stringMatching(/SEQ01 take 1 or of SEQ02 take 1/) });
  });

  it('concludes fal never ran it only after the longest run and the records\' lag, once every earlier job finished', () => {
    const t = take('SEQ01 take 1', 6);
    const running = { requestId: 'earlier', submittedAt: T0 - min(1) };
    expect(judge({ take: t, now: T0 + min(26) }).kind).toBe('never_ran');
    expect(judge({ take: t, now: T0 + min(24) }).kind).toBe('wait');
    // An earlier job still unfinished may be what the take is queued behind.
    expect(judge({ take: t, known: [running], now: T0 + min(40) }).kind).toBe('wait');
    // It finished at +30 min: the take would have run by then, so the clock starts there.
    const finished = { ...running, finishedAt: T0 + min(30) };
    expect(judge({ take: t, known: [finished], now: T0 + min(50) }).kind).toBe('wait');
    expect(judge({ take: t, known: [finished], now: T0 + min(56) }).kind).toBe('never_ran');
    // Still unfinished long after: a person decides.
    expect(judge({ take: t, known: [running], now: T0 + min(80) }).kind).toBe('undecided');
    // Finished so late that the conclusion comes after the deadline: that moment is waited for.
    const late = { ...running, finishedAt: T0 + min(70) };
    expect(judge({ take: t, known: [late], now: T0 + min(80) }).kind).toBe('wait');
    expect(judge({ take: t, known: [late], now: T0 + min(96) }).kind).toBe('never_ran');
  });

  it('counts an earlier job finished once fal billed it, before its take is collected', () => {
    const t = take('SEQ01 take 1', 6);
    const earlier = { requestId: 'earlier', submittedAt: T0 - min(1) };
    expect(judge({ take: t, known: [earlier], billed: [billed('earlier', 8, T0 + min(1))], now: T0 + min(27) }).kind).toBe('never_ran');
  });

  it('does not wait for jobs sent after the take began submitting: they queue behind it', () => {
    const t = { ...take('SEQ01 take 1', 6), cutOffAt: T0 + min(2) };
    const sentAfter = { requestId: 'later', submittedAt: T0 + min(1) };
    expect(judge({ take: t, known: [sentAfter], now: T0 + min(28) }).kind).toBe('never_ran');
  });
});
