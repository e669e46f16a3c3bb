import type { TakeSummary } from '../../contract/sequence.js';

export function usd(amount: number | undefined): string {
  return amount === undefined ? '—' : `$${amount.toFixed(2)}`;
}

/** "14:05:09" today, "Dec 1 14:05" before: reviewers read times, not ISO strings. */
export function when(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const at = new Date(iso);
  const time = at.toISOString().slice(11, 19);
  return at.toDateString() === now.toDateString() ? time : `${at.toISOString().slice(0, 10)} ${time.slice(0, 5)}`;
}

export function stateLabel(state: string): string {
  return state.replace(/_/g, ' ');
}

/** The take a reviewer looks at for a sequence: the newest one with a video. */
export function newestWatchable(takes: TakeSummary[]): TakeSummary | undefined {
  return takes.filter((t) => t.videoPath).at(-1);
}

/** "24000/1001" → 23.976…; "24" → 24. */
export function framesPerSecond(rate: string | undefined): number {
  if (!rate) return 24;
  const [num, den] = rate.split('/').map(Number);
  const fps = den ? (num ?? 0) / den : (num ?? 0);
  return fps > 0 ? fps : 24;
}
