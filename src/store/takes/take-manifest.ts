import { join } from 'node:path';
import { readJson, writeJson, type ArtifactStore } from '../artifact-store.js';
import type { TakeBilling } from '../../domain/billing-reconciliation.js';
import type { CriticReport } from '../../domain/critic-report.js';
import type { ProviderName } from '../../domain/models.js';
import type { SequenceUnit, UnitShot } from '../../domain/sequence-unit.js';
import type { TakeNote } from '../../domain/take-notes.js';

export const MANIFEST_FILE = 'take.json';
export const VIDEO_FILE = 'video.mp4';
export const TAKE_START_FRAME_FILE = 'start_frame.png';

export type TakeManifestStatus = 'submitting' | 'not_submitted' | 'submitted' | 'complete' | 'failed';

export interface TakeDecision {
  decision: 'approved' | 'retake';
  by: string;
  note?: string;
  at: string;
}

/** The finished video as ffprobe saw it when the take came back. */
export interface TakeVideo {
  file: string;
  durationSec: number;
  width: number;
  height: number;
  /** Exact frame rate, "24000/1001" for 23.976 fps; absent on takes probed before it was recorded. */
  frameRate?: string;
  frameCount?: number;
}

/** take.json: everything about one take, kept beside its video. Secrets never go here. */
export interface TakeManifest {
  schemaVersion: 1;
  projectId: string;
  episode: string;
  sequenceId: string;
  take: number;
  /** The workflow that allocated this take; a different workflow never writes into it. */
  owner: { workflowId: string; runId: string };
  provider: ProviderName;
  model: string;
  inputs: {
    shots: UnitShot[];
    elements: SequenceUnit['elements'];
    startFrame: SequenceUnit['startFrame'];
    aspectRatio: SequenceUnit['aspectRatio'];
    resolution: SequenceUnit['resolution'];
    generateAudio: boolean;
    totalDurationSec: number;
    retakeNote?: string;
    /** The start frame as it was for this take, copied into the take folder. */
    startFrameFile?: string;
  };
  status: TakeManifestStatus;
  requestId?: string;
  estimatedCostUsd: number;
  actualCostUsd?: number;
  video?: TakeVideo;
  critics?: CriticReport;
  decisions: TakeDecision[];
  /** Reviewers' notes pinned to frames or ranges of the video (docs/output-layout.md). */
  notes?: TakeNote[];
  error?: string;
  /** How a submission cut off before its request id came back was settled (docs/money.md). */
  recovered?: { from: 'fal billing records' | 'a person'; by?: string; at: string; detail: string };
  /** Each time the take was submitted again because the provider never ran the earlier submission. */
  resubmissions?: { at: string; why: string }[];
  times: { createdAt: string; submittingAt?: string; submittedAt?: string; completedAt?: string };
}

/**
 * billing.json, beside take.json: what fal's own records say the take cost, once reconciled
 * (docs/money.md); it then counts instead of actualCostUsd. A file of its own, written only by
 * reconciliation, so it never races the take's own updates of take.json.
 */
export const BILLING_FILE = 'billing.json';

export function readTakeBilling(store: ArtifactStore, takeDir: string): Promise<TakeBilling | undefined> {
  return readJson<TakeBilling>(store, join(takeDir, BILLING_FILE));
}

export function writeTakeBilling(store: ArtifactStore, takeDir: string, billing: TakeBilling): Promise<void> {
  return writeJson(store, join(takeDir, BILLING_FILE), billing);
}

export function readManifest(store: ArtifactStore, path: string): Promise<TakeManifest | undefined> {
  return readJson<TakeManifest>(store, path);
}

/** Atomic: a reader (or a crash) sees the old manifest or the new one, never half of one. */
export function writeManifest(store: ArtifactStore, path: string, manifest: TakeManifest): Promise<void> {
  return writeJson(store, path, manifest);
}

export async function updateManifest(store: ArtifactStore, path: string, change: (m: TakeManifest) => TakeManifest): Promise<TakeManifest> {
  const current = await readManifest(store, path);
  if (!current) throw new Error(`take manifest missing: ${store.location(path)}`);
  const next = change(current);
  await writeManifest(store, path, next);
  return next;
}
