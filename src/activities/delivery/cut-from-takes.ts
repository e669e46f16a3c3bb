import { summarize } from '../../domain/critic-report.js';
import { clipNotes, reelNames, shotRanges, type CutClip, type EditorialCut } from '../../domain/editorial/cut.js';
import { formatFrameRate, framesToSeconds } from '../../domain/timecode.js';
import type { ApprovedTake } from './approved-takes.js';
import type { TakeMedia } from './take-media.js';

export interface CutRequest {
  projectId: string;
  episode: string;
  version: number;
  createdAt: string;
  takes: readonly ApprovedTake[];
  media: readonly TakeMedia[];
  /** Each take's video inside the version, relative to it (media/…). */
  mediaPaths: readonly string[];
}

/** The editorial cut of approved takes already probed to share one rate and size. */
export function cutFromTakes(request: CutRequest): EditorialCut {
  const { takes, media } = request;
  const reels = reelNames(takes);
  const first = media[0]!;
  return {
    projectId: request.projectId,
    episode: request.episode,
    version: request.version,
    rate: first.rate,
    width: first.width,
    height: first.height,
    createdAt: request.createdAt,
    clips: takes.map((take, i) => clipOf(take, media[i]!, reels[i]!, request.mediaPaths[i]!)),
  };
}

function clipOf(take: ApprovedTake, media: TakeMedia, reel: string, mediaPath: string): CutClip {
  const { manifest, approval } = take;
  return {
    sequenceId: take.sequenceId,
    take: take.take,
    reel,
    mediaPath,
    frames: media.frames,
    shots: shotRanges(manifest.inputs.shots, media.rate, media.frames),
    notes: clipNotes(manifest.notes ?? [], media.frames),
    audio: media.hasAudio ? 'take' : 'silence',
    provenance: {
      project: manifest.projectId,
      episode: manifest.episode,
      sequence: take.sequenceId,
      take: take.take,
      provider: manifest.provider,
      model: manifest.model,
      shotPrompts: manifest.inputs.shots.map((shot) => shot.prompt),
      providerRequestId: manifest.requestId ?? null,
      estimatedCostUsd: manifest.estimatedCostUsd,
      actualCostUsd: manifest.actualCostUsd ?? null,
      critics: manifest.critics ? { ok: manifest.critics.ok, summary: summarize(manifest.critics.findings) } : null,
      approvedBy: approval?.by ?? null,
      approvedAt: approval?.at ?? null,
      frameRate: formatFrameRate(media.rate),
      durationSec: framesToSeconds(media.frames, media.rate),
    },
  };
}
