import type { BilledJob, SettlementRules } from '../../domain/cut-off-submissions.js';
import type { ProviderName } from '../../domain/models.js';
import type { EndpointPrice } from '../../domain/price-check.js';
import type { SequenceUnit, UnitShot } from '../../domain/sequence-unit.js';

/** Everything a provider needs to make one take of a sequence. Paths are absolute. */
export interface VideoJob {
  unit: SequenceUnit;
  shots: UnitShot[];
  take: number;
  takeDir: string;
  /** Absolute path of the start frame image, when the sequence has one. */
  startFramePath?: string;
  /** Absolute path of the frame the video must end on, when the sequence has one. */
  endFramePath?: string;
}

export interface AwaitContext {
  heartbeat(details?: unknown): void;
  signal: AbortSignal;
}

/**
 * A video provider, split into submit, await and collect: a paid submission is made once and its
 * request id recorded before anything else can go wrong, so a retried activity resumes that request
 * instead of paying for a second one (docs/money.md); and the wait ends the moment the provider has
 * finished, so whatever limits jobs at the provider is free again before the video is fetched.
 */
export interface VideoProvider {
  readonly name: ProviderName;
  /** True when submitting the same job twice costs nothing, so an unknown submission may be redone. */
  readonly resubmitIsSafe: boolean;
  submit(job: VideoJob): Promise<{ requestId: string }>;
  /** Resolves once the provider has finished the job (well or not: collecting tells which). */
  awaitFinished(job: VideoJob, requestId: string, ctx: AwaitContext): Promise<void>;
  /** Writes the finished job's video to `videoPath` (atomically). */
  collect(job: VideoJob, requestId: string, videoPath: string, ctx: AwaitContext): Promise<void>;
  /** What the provider charges (or will charge) for the job. */
  costOf(job: VideoJob): number;
  /** The provider's own records of billed jobs, when this worker may read them. */
  readonly records?: ProviderRecords;
}

/** The provider's own records: what settles a cut-off submission and reconciles spend with its bill (docs/money.md). */
export interface ProviderRecords {
  /** Every billed job since `since`: of `endpoint`, or of every endpoint when it is undefined. */
  billedJobs(endpoint: string | undefined, since: Date): Promise<BilledJob[]>;
  /** The provider's own unit price for each of its endpoints Recoil's price table holds. */
  prices(): Promise<EndpointPrice[]>;
  rules: SettlementRules;
}

/** Waits for a submitted job and writes its video: everything after the submission, in one go. */
export async function awaitVideo(provider: VideoProvider, job: VideoJob, requestId: string, videoPath: string, ctx: AwaitContext): Promise<void> {
  await provider.awaitFinished(job, requestId, ctx);
  await provider.collect(job, requestId, videoPath, ctx);
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
