import type { ProviderName } from '../../domain/models.js';
import type { SequenceUnit, UnitShot } from '../../domain/sequence-unit.js';

/** Everything a provider needs to make one take of a sequence. Paths are absolute. */
export interface VideoJob {
  unit: SequenceUnit;
  shots: UnitShot[];
  take: number;
  takeDir: string;
  /** Absolute path of the start frame image, when the sequence has one. */
  startFramePath?: string;
}

export interface AwaitContext {
  heartbeat(details?: unknown): void;
  signal: AbortSignal;
}

export interface VideoResult {
  /** What the provider charged (or will charge) for this take. */
  costUsd: number;
}

/**
 * A video provider, split into submit and await so a paid submission is made once and its
 * request id is recorded before anything else can go wrong: a retried activity resumes that request
 * instead of paying for a second one (docs/money.md).
 */
export interface VideoProvider {
  readonly name: ProviderName;
  /** True when submitting the same job twice costs nothing, so an unknown submission may be redone. */
  readonly resubmitIsSafe: boolean;
  submit(job: VideoJob): Promise<{ requestId: string }>;
  /** Waits for the job and writes the finished video to `videoPath` (atomically). */
  awaitResult(job: VideoJob, requestId: string, videoPath: string, ctx: AwaitContext): Promise<VideoResult>;
}

export type VideoProviders = Partial<Record<ProviderName, VideoProvider>>;

const notAccepted = new WeakSet<object>();

/**
 * Marks a submit failure the provider certainly did not accept (it answered 4xx, 429 or 503, or
 * was never reached), so submitting again cannot pay twice. Anything unmarked is "unknown".
 */
export function markNotAccepted<E extends Error>(err: E): E {
  notAccepted.add(err);
  return err;
}

export function wasNotAccepted(err: unknown): boolean {
  return typeof err === 'object' && err !== null && notAccepted.has(err);
}
