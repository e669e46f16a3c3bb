import { formatFrameRate, frameRateLabel, parseFrameRate, sameFrameRate, secondsToFrames, type FrameRate } from '../../domain/timecode.js';
import { probeVideo } from '../media/probe.js';
import type { ApprovedTake } from './approved-takes.js';
import { DeliveryRefused } from './delivery-refused.js';

/** A take's video as ffprobe reads it now: the delivery never trusts a rate or length it did not measure. */
export interface TakeMedia {
  rate: FrameRate;
  frames: number;
  width: number;
  height: number;
  hasAudio: boolean;
}

/**
 * Probes every approved take and refuses a set an editor could not cut as one: an EDL and the
 * joined cut have one frame rate and one picture size.
 */
export async function probeTakeMedia(takes: readonly ApprovedTake[]): Promise<TakeMedia[]> {
  const media: TakeMedia[] = [];
  for (const take of takes) media.push(await probeTake(take));
  const first = media[0];
  if (!first) return media;
  const odd = takes.filter((_, i) => !sameFrameRate(media[i]!.rate, first.rate));
  if (odd.length > 0) {
    const rates = takes.map((t, i) => `${label(t)} ${frameRateLabel(media[i]!.rate)} fps`).join(', ');
    throw new DeliveryRefused(
      'mixed_formats',
      `the approved takes do not share one frame rate (${rates}); an edit runs at one rate. ` +
        `Retake ${odd.map(label).join(', ')} with the same model and settings as the others and approve the new take, ` +
        `or conform its video.mp4 to ${frameRateLabel(first.rate)} fps (${formatFrameRate(first.rate)}) outside the pipeline; nothing was delivered.`,
    );
  }
  const otherSize = takes.filter((_, i) => media[i]!.width !== first.width || media[i]!.height !== first.height);
  if (otherSize.length > 0) {
    const sizes = takes.map((t, i) => `${label(t)} ${media[i]!.width}×${media[i]!.height}`).join(', ');
    throw new DeliveryRefused(
      'mixed_formats',
      `the approved takes do not share one picture size (${sizes}): retake ${otherSize.map(label).join(', ')} at ${first.width}×${first.height} and approve the new take; nothing was delivered.`,
    );
  }
  return media;
}

async function probeTake(take: ApprovedTake): Promise<TakeMedia> {
  const probe = await probeVideo(take.videoPath).catch((err: Error) => {
    throw new DeliveryRefused('take_missing', `${label(take)} cannot be read as a video (${take.videoPath}): ${err.message}`);
  });
  const rate = parseFrameRate(probe.frameRate);
  if (!probe.hasVideo || !rate) {
    throw new DeliveryRefused('take_missing', `${label(take)} has no picture with a frame rate ffprobe can read (${take.videoPath}): retake the sequence and approve the new take.`);
  }
  return { rate, frames: probe.frameCount ?? secondsToFrames(probe.durationSec, rate), width: probe.width, height: probe.height, hasAudio: probe.hasAudio };
}

function label(take: ApprovedTake): string {
  return `${take.sequenceId} take ${take.take}`;
}
