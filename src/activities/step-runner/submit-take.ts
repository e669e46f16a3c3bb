import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { activityInfo, ApplicationFailure, Context, log } from '@temporalio/activity';
import { MODELS } from '../../domain/models.js';
import type { ActivityDeps } from '../deps.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { claimTakeFolder } from '../../store/takes/take-folders.js';
import { MANIFEST_FILE, TAKE_START_FRAME_FILE, updateManifest, type TakeManifest } from '../../store/takes/take-manifest.js';
import { UNKNOWN_SUBMISSION, type PaidCallFailureDetails, type SubmittedTake, type TakeRequest } from '../../contract/activities.js';
import { withBilling, withVerdict } from '../paid-call-failure.js';
import { wasNotAccepted } from '../providers/provider.js';
import { providerFor, toVideoJob } from './video-job.js';

const SUBMIT_HEARTBEAT_MS = 5_000;

/**
 * Submits one take to its provider exactly once: "submitting" is recorded before the call and
 * the request id right after, so a retry resumes the same request instead of paying again.
 */
export function submitTakeActivity(deps: ActivityDeps) {
  return (request: TakeRequest): Promise<SubmittedTake> => withBilling(() => submitOnce(deps, request));
}

async function submitOnce(deps: ActivityDeps, request: TakeRequest): Promise<SubmittedTake> {
  const provider = providerFor(deps, request);
  const { store } = deps;
  const job = await toVideoJob(deps, request);
  const manifestPath = join(job.takeDir, MANIFEST_FILE);
  const folder = store.location(job.takeDir);
  const heartbeat = () => Context.current().heartbeat({ take: request.take });
  heartbeat();
  const manifest = await claimTakeFolder(store, newManifest(request));
  heartbeat();
  if (job.startFramePath) await keepStartFrame(store, job.startFramePath, job.takeDir);

  if (manifest.requestId) {
    log.info('take already submitted; resuming it', { take: request.take, requestId: manifest.requestId });
    return { requestId: manifest.requestId, folder };
  }
  if (manifest.status === 'submitting' && activityInfo().attempt > 1 && !provider.resubmitIsSafe) {
    throw unknownSubmission(request.take, provider.name, 'an earlier attempt stopped before its request id was recorded');
  }
  await updateManifest(store, manifestPath, (m) => markSubmitting(m, request));
  let requestId: string;
  // Uploads can outlast the heartbeat timeout; a silent attempt would be retried while it still runs.
  const beating = setInterval(heartbeat, SUBMIT_HEARTBEAT_MS);
  try {
    ({ requestId } = await provider.submit(job));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // A refusal the provider certainly did not accept may be submitted again by the next attempt.
    if (wasNotAccepted(err) || provider.resubmitIsSafe) {
      await updateManifest(store, manifestPath, (m) => ({ ...m, status: 'not_submitted', error: reason }));
      throw withVerdict(err, 'not_charged');
    }
    await updateManifest(store, manifestPath, (m) => ({ ...m, error: reason }));
    throw unknownSubmission(request.take, provider.name, reason);
  } finally {
    clearInterval(beating);
  }
  await updateManifest(store, manifestPath, (m) => ({ ...m, status: 'submitted', requestId, times: { ...m.times, submittedAt: new Date().toISOString() } }));
  return { requestId, folder };
}

/** The moment of asking is kept: no billing record older than it can be this take's job. */
function markSubmitting(manifest: TakeManifest, request: TakeRequest): TakeManifest {
  const at = new Date().toISOString();
  const resubmissions = request.resubmit && manifest.status === 'submitting' ? [...(manifest.resubmissions ?? []), { at, why: request.resubmit.why }] : manifest.resubmissions;
  return { ...manifest, status: 'submitting', ...(resubmissions ? { resubmissions } : {}), times: { ...manifest.times, submittingAt: at } };
}

/**
 * The submission may have been queued (and paid for), and no request id came back: nothing
 * submits again here. The sequence settles it from the provider's records, or asks a person.
 */
function unknownSubmission(take: number, provider: string, reason: string): ApplicationFailure {
  const billing: PaidCallFailureDetails = { billing: 'may_have_charged' };
  return ApplicationFailure.create({
    message: `the submission of take ${take} to ${provider} was cut off (${reason}) before its request id came back`,
    type: UNKNOWN_SUBMISSION,
    nonRetryable: true,
    details: [billing],
  });
}

function newManifest(request: TakeRequest): TakeManifest {
  const { unit } = request;
  const run = activityInfo().workflowExecution;
  if (!run) throw ApplicationFailure.nonRetryable('takes are allocated by a sequence workflow; submitTake ran outside one', 'NoWorkflow');
  return {
    schemaVersion: 1,
    projectId: unit.projectId,
    episode: unit.episode,
    sequenceId: unit.sequenceId,
    take: request.take,
    owner: { workflowId: run.workflowId, runId: run.runId },
    provider: request.provider,
    model: request.provider === 'local' ? MODELS.local.endpoint : MODELS[unit.model].endpoint,
    inputs: {
      shots: request.shots,
      elements: unit.elements,
      startFrame: unit.startFrame,
      aspectRatio: unit.aspectRatio,
      resolution: unit.resolution,
      generateAudio: unit.generateAudio,
      totalDurationSec: request.shots.reduce((sum, s) => sum + s.duration, 0),
      ...(request.retakeNote ? { retakeNote: request.retakeNote } : {}),
      ...(request.startFramePath ? { startFrameFile: TAKE_START_FRAME_FILE } : {}),
    },
    status: 'submitting',
    estimatedCostUsd: request.provider === 'local' ? 0 : unit.estimatedCostUsd,
    decisions: [],
    times: { createdAt: new Date().toISOString() },
  };
}

/** The take keeps its own copy of the frame it started from, even if clean/ changes later. */
async function keepStartFrame(store: ArtifactStore, source: string, dir: string): Promise<void> {
  const kept = join(dir, TAKE_START_FRAME_FILE);
  await mkdir(dir, { recursive: true });
  await copyFile(source, kept).catch((err: NodeJS.ErrnoException) => {
    throw ApplicationFailure.nonRetryable(`the start frame ${source} cannot be read (${err.code}): pick a frame again`, 'StartFrameMissing');
  });
  await store.publish(kept);
}
