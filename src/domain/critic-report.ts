/**
 * What the critics found on a take or a grid before a person looks at it. Stored in take.json and
 * workflow state, so it stays plain JSON.
 */

export type Measurements = Record<string, number | string | boolean>;

export interface CriticFinding {
  critic: string;
  ok: boolean;
  /** Reads on its own (it is joined into retake notes): says what was seen and what was expected. */
  message: string;
  /** The numbers behind the verdict, so a threshold can be questioned later. */
  measured?: Measurements;
  /** Where in the take a detector saw the trouble (black, frozen), so a reviewer can go and look. */
  stretches?: Stretch[];
}

/** A stretch of a take, in seconds from its start. */
export interface Stretch {
  startSec: number;
  endSec: number;
}

export interface CriticReport {
  ok: boolean;
  findings: CriticFinding[];
  checkedAt: string;
}

export function criticReport(findings: CriticFinding[], checkedAt: Date): CriticReport {
  return { ok: findings.every((f) => f.ok), findings, checkedAt: checkedAt.toISOString() };
}

/** One line for a board or a log: "5/5 critics passed", or each failing critic with its reason. */
export function summarize(findings: readonly CriticFinding[]): string {
  const failed = findings.filter((f) => !f.ok);
  if (failed.length === 0) return `${findings.length}/${findings.length} critics passed`;
  const reasons = failed.map((f) => `${f.critic}: ${f.message}`).join('; ');
  return `${failed.length}/${findings.length} critics failed — ${reasons}`;
}

/** A take may be dark or still for a while (a fade, a held look); when most of it is, there is no shot. */
const MOST_OF_A_TAKE = 0.5;

/**
 * The verdict of a detector that marks stretches of a take (black, frozen): it fails when the
 * stretches add up to more than half the take.
 */
export function stretchFinding(critic: string, stretches: readonly Stretch[], durationSec: number): CriticFinding {
  const seconds = stretches.reduce((sum, s) => sum + (s.endSec - s.startSec), 0);
  const share = durationSec > 0 ? Math.min(1, seconds / durationSec) : 0;
  const ok = share <= MOST_OF_A_TAKE;
  const part = `${Math.round(share * 100)}% of its ${durationSec.toFixed(2)} s is ${critic}`;
  return {
    critic,
    ok,
    message: ok ? `not mostly ${critic} (${part})` : `mostly ${critic}: ${part}`,
    measured: { seconds: thousandths(seconds), share: thousandths(share), stretches: stretches.length },
    ...(stretches.length > 0 ? { stretches: stretches.map((s) => ({ startSec: thousandths(s.startSec), endSec: thousandths(s.endSec) })) } : {}),
  };
}

function thousandths(n: number): number {
  return Math.round(n * 1000) / 1000;
}
