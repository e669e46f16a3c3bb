import { copyFile, rename } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/activity';
import { markNotAccepted, type VideoProvider } from '../../src/activities/providers/provider.js';
import type { SequenceUnit } from '../../src/domain/sequence-unit.js';

type UnitKey = Pick<SequenceUnit, 'projectId' | 'sequenceId'>;
const keyOf = (u: UnitKey) => `${u.projectId}/${u.sequenceId}`;

/**
 * A provider for workflow tests: each take copies a real pre-rendered MP4 once the test lets it
 * through (or after a fixed delay), and every call is counted, so tests control timing and can
 * count submissions and overlap.
 */
export class GatedProvider {
  readonly submissions: string[] = [];
  private readonly active = new Set<string>();
  maxActive = 0;
  /** The sequences ("project/SEQ") whose takes are generating right now (inside awaitFinished). */
  get activeKeys(): string[] {
    return [...this.active];
  }
  private readonly tokens = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();
  private readonly refusals = new Map<string, string>();

  constructor(
    private readonly videoFixture: string,
    private readonly autoOpenMs?: number,
  ) {}

  /** Lets one take of this sequence finish, now or as soon as it is awaited. */
  open(unit: UnitKey): void {
    const key = keyOf(unit);
    const wake = this.waiting.get(key);
    if (wake) {
      this.waiting.delete(key);
      wake();
    } else {
      this.tokens.set(key, (this.tokens.get(key) ?? 0) + 1);
    }
  }

  /** The next submission of this sequence is refused the way a provider refuses bad input (nothing charged). */
  refuseNext(unit: UnitKey, message: string): void {
    this.refusals.set(keyOf(unit), message);
  }

  /** Registered under `name`; 'fal' makes the workflow treat it as paid (budget, exactly-once). */
  provider(name: VideoProvider['name'] = 'local'): VideoProvider {
    return {
      name,
      resubmitIsSafe: name === 'local',
      submit: async (job) => {
        const refusal = this.refusals.get(keyOf(job.unit));
        if (refusal !== undefined) {
          this.refusals.delete(keyOf(job.unit));
          throw markNotAccepted(ApplicationFailure.nonRetryable(refusal, 'ProviderRejected'));
        }
        this.submissions.push(`${keyOf(job.unit)}:t${job.take}`);
        return { requestId: `gated-${job.unit.sequenceId}-${job.take}` };
      },
      awaitFinished: async (job, _id, ctx) => {
        const key = keyOf(job.unit);
        this.active.add(key);
        this.maxActive = Math.max(this.maxActive, this.active.size);
        try {
          await abortable(this.pass(key), ctx.signal);
        } finally {
          this.active.delete(key);
        }
      },
      collect: async (_job, _id, videoPath) => {
        await copyFile(this.videoFixture, `${videoPath}.part`);
        await rename(`${videoPath}.part`, videoPath);
      },
      costOf: (job) => (name === 'local' ? 0 : job.unit.estimatedCostUsd),
    };
  }

  private pass(key: string): Promise<void> {
    if (this.autoOpenMs !== undefined) return new Promise((resolve) => setTimeout(resolve, this.autoOpenMs));
    const available = this.tokens.get(key) ?? 0;
    if (available > 0) {
      this.tokens.set(key, available - 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
}

/** A worker shutting down cancels its activities: a gate that is never opened must not hold it up. */
function abortable(wait: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    wait.then(resolve, reject);
  });
}
