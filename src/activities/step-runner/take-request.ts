import type { ProviderName } from '../../domain/models.js';
import type { SequenceUnit, UnitShot } from '../../domain/sequence-unit.js';

/** The arguments of the take activities. No secrets: these are recorded in workflow history. */
export interface TakeRequest {
  unit: SequenceUnit;
  shots: UnitShot[];
  take: number;
  provider: ProviderName;
  retakeNote?: string;
  /** The chosen start frame in clean/, when the sequence has one. */
  startFramePath?: string;
}

export interface SubmittedTake {
  requestId: string;
  folder: string;
}

export interface FinishedTake {
  videoPath: string;
  durationSec: number;
  width: number;
  height: number;
  costUsd: number;
}
