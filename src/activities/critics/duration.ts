import type { CriticFinding } from '../../domain/critic-report.js';

/** Providers round to whole frames and container edits; half a second is a wrong cut, not rounding. */
const DURATION_TOLERANCE_SEC = 0.5;

export function durationCritic(actualSec: number, expectedSec: number): CriticFinding {
  const ok = Math.abs(actualSec - expectedSec) <= DURATION_TOLERANCE_SEC;
  const planned = `${expectedSec} s ± ${DURATION_TOLERANCE_SEC} s`;
  return {
    critic: 'duration',
    ok,
    message: ok ? `${actualSec.toFixed(2)} s long, as planned (${planned})` : `${actualSec.toFixed(2)} s long but the plan asks for ${planned}`,
    measured: { durationSec: actualSec, expectedSec },
  };
}
