import { join } from 'node:path';
import { ApplicationFailure, log } from '@temporalio/activity';
import {
  CLOCK_SKEW_MS,
  giveUpAfterMs,
  judgeCutOffSubmission,
  type BilledJob,
  type CutOffTake,
  type KnownJob,
  type SubmissionVerdict,
} from '../../domain/cut-off-submissions.js';
import type { ActivityDeps } from '../deps.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import type { VideoJob, VideoProvider } from '../providers/provider.js';
import { adoptedJobs, claimJob, sameTake, takeLabel, takesOfProvider, type StoredTake } from '../../store/takes/provider-jobs.js';
import { MANIFEST_FILE, readManifest, updateManifest, type TakeManifest } from '../../store/takes/take-manifest.js';
import type { AdoptRequest, CutOffRequest, SettlementOutcome, SubmittedTake, TakeRef, TakeRequest } from '../../contract/activities.js';
import { providerFor, toVideoJob } from './video-job.js';

/**
 * Settles a take whose submission was cut off before its request id came back, from the provider's
 * billing records (docs/money.md): adopts the billed job that can only be this take's (written to
 * take.json, as if the id had come back), says the provider never ran it, asks to wait, or leaves
 * it to a person. Reads and writes only files; safe to repeat.
 */
export function settleCutOffSubmissionActivity(deps: ActivityDeps) {
  return async function settleCutOffSubmission(request: CutOffRequest): Promise<SettlementOutcome> {
    const provider = providerFor(deps, request);
    const job = await toVideoJob(deps, request);
    const manifest = await manifestOf(deps.store, job);
    if (manifest.requestId) return { kind: 'adopt', requestId: manifest.requestId, folder: deps.store.location(job.takeDir), detail: `take ${request.take} already has request ${manifest.requestId}` };
    if (!provider.records) {
      return { kind: 'undecided', detail: `this worker cannot read ${provider.name}'s billing records (set FAL_ADMIN_KEY in the worker's environment to settle it by itself)` };
    }
    const take = cutOffTake(manifest, Date.parse(request.cutOffAt));
    const verdict = await judge(deps, provider, take, takeRefOf(request));
    if (verdict.kind !== 'adopt') return { kind: verdict.kind, detail: verdict.why };
    if (!(await claimJob(deps.store, provider.name, verdict.requestId, takeRefOf(request)))) {
      return { kind: 'wait', detail: `request ${verdict.requestId} was just claimed by another take; looking again` };
    }
    const detail = `fal's billing records show request ${verdict.requestId} (${take.seconds} s, billed $${verdict.costUsd.toFixed(2)}), which no other take can be`;
    await recordAdoption(deps.store, job, verdict.requestId, { from: 'fal billing records', detail });
    log.info('cut-off submission settled from the billing records', { take: request.take, requestId: verdict.requestId });
    return { kind: 'adopt', requestId: verdict.requestId, folder: deps.store.location(job.takeDir), detail };
  };
}

/** A person names the provider job that is this take's; refused when another take has it. */
export function adoptProviderJobActivity(deps: ActivityDeps) {
  return async function adoptProviderJob(request: AdoptRequest): Promise<SubmittedTake> {
    const provider = providerFor(deps, request);
    const job = await toVideoJob(deps, request);
    const manifest = await manifestOf(deps.store, job);
    const id = request.providerRequestId;
    if (manifest.requestId === id) return { requestId: id, folder: deps.store.location(job.takeDir) };
    const ref = takeRefOf(request);
    const holder = await holderOf(deps, provider, id);
    if ((holder && !sameTake(holder, ref)) || !(await claimJob(deps.store, provider.name, id, ref))) {
      const who = holder ? takeLabel(holder) : 'another take';
      throw ApplicationFailure.nonRetryable(`request ${id} is already the job of ${who}: name another request, submit again or give up`, 'JobClaimed');
    }
    await recordAdoption(deps.store, job, id, { from: 'a person', by: request.by, detail: `${request.by} named request ${id} as this take's job` });
    return { requestId: id, folder: deps.store.location(job.takeDir) };
  };
}

async function judge(deps: ActivityDeps, provider: VideoProvider, take: CutOffTake, ref: TakeRef): Promise<SubmissionVerdict> {
  const records = provider.records!;
  const now = Date.now();
  const [onDisk, adopted] = await Promise.all([takesOfProvider(deps.store, provider.name), adoptedJobs(deps.store, provider.name)]);
  let billed: BilledJob[];
  try {
    billed = await records.billedJobs(take.endpoint, new Date(take.submittingAt - CLOCK_SKEW_MS));
  } catch (err) {
    const why = `${provider.name}'s billing records cannot be read (${err instanceof Error ? err.message : String(err)})`;
    return now >= take.cutOffAt + giveUpAfterMs(records.rules) ? { kind: 'undecided', why } : { kind: 'wait', why };
  }
  const known = [...onDisk.flatMap(knownJob), ...[...adopted.keys()].map((requestId) => ({ requestId, submittedAt: 0, finishedAt: 0 }))];
  const otherCutOff = onDisk.filter((t) => isCutOff(t.manifest) && !sameTake(t.manifest, ref)).map((t) => cutOffTake(t.manifest, take.cutOffAt));
  return judgeCutOffSubmission({ take, otherCutOff, known, billed, now }, records.rules);
}

function takeRefOf({ unit, take }: TakeRequest): TakeRef {
  return { projectId: unit.projectId, episode: unit.episode, sequenceId: unit.sequenceId, take };
}

async function manifestOf(store: ArtifactStore, job: VideoJob): Promise<TakeManifest> {
  const manifest = await readManifest(store, join(job.takeDir, MANIFEST_FILE));
  if (!manifest) throw ApplicationFailure.nonRetryable(`take ${job.take} has no take.json in ${store.location(job.takeDir)}`, 'TakeMissing');
  return manifest;
}

async function holderOf(deps: ActivityDeps, provider: VideoProvider, requestId: string): Promise<TakeRef | undefined> {
  const [onDisk, adopted] = await Promise.all([takesOfProvider(deps.store, provider.name), adoptedJobs(deps.store, provider.name)]);
  return onDisk.find((t) => t.manifest.requestId === requestId)?.manifest ?? adopted.get(requestId);
}

async function recordAdoption(store: ArtifactStore, job: VideoJob, requestId: string, recovered: Omit<NonNullable<TakeManifest['recovered']>, 'at'>): Promise<void> {
  const at = new Date().toISOString();
  await updateManifest(store, join(job.takeDir, MANIFEST_FILE), (m) => ({
    ...m,
    status: 'submitted',
    requestId,
    recovered: { ...recovered, at },
    times: { ...m.times, submittedAt: at },
  }));
}

function isCutOff(manifest: TakeManifest): boolean {
  return manifest.status === 'submitting' && !manifest.requestId;
}

/** take.json's `model` is the provider's endpoint id, as its billing records name it. */
function cutOffTake(manifest: TakeManifest, cutOffAt: number): CutOffTake {
  return {
    label: takeLabel(manifest),
    endpoint: manifest.model,
    seconds: manifest.inputs.totalDurationSec,
    submittingAt: Date.parse(manifest.times.submittingAt ?? manifest.times.createdAt),
    cutOffAt,
  };
}

function knownJob({ manifest }: StoredTake): KnownJob[] {
  if (!manifest.requestId) return [];
  const submittedAt = Date.parse(manifest.times.submittedAt ?? manifest.times.createdAt);
  const finished = manifest.status === 'complete' || manifest.status === 'failed';
  return [{ requestId: manifest.requestId, submittedAt, ...(finished ? { finishedAt: Date.parse(manifest.times.completedAt ?? manifest.times.createdAt) } : {}) }];
}
