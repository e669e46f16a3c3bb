import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import sharp from 'sharp';
import type { ChainFrameRequest } from '../../contract/activities.js';
import type { ChosenFrame } from '../../contract/sequence.js';
import { takeFolderName } from '../../domain/ids.js';
import type { ActivityDeps } from '../deps.js';
import { START_FRAME_FILE, selectStartFrame } from '../grids/extract-quadrant.js';
import { extractLastFrame } from '../media/last-frame.js';
import { fetched } from '../../store/artifact-store.js';
import { cleanDir } from '../../store/sequence-dirs.js';
import { latestApprovedTake } from '../../store/takes/latest-approved-take.js';
import { takeDir } from '../../store/takes/take-folders.js';
import { VIDEO_FILE } from '../../store/takes/take-manifest.js';

/**
 * Makes the previous sequence's approved last frame this sequence's start frame in clean/, the way
 * a picked quadrant is (the frame it replaces is kept). Without a take number it looks on disk for
 * one approved in an earlier run; undefined when there is none yet, so the workflow waits.
 */
export function chainStartFrameActivity(deps: ActivityDeps) {
  return async function chainStartFrame(request: ChainFrameRequest): Promise<ChosenFrame | undefined> {
    const previous = { projectId: request.projectId, episode: request.episode, sequenceId: request.previousSequenceId };
    const { store } = deps;
    const take = request.take ?? (await latestApprovedTake(store, previous));
    if (take === undefined) return undefined;
    const stored = join(takeDir(store.root, { ...previous, take }), VIDEO_FILE);
    const video = await fetched(store, stored, () =>
      ApplicationFailure.nonRetryable(
        `${request.previousSequenceId} take ${take} is approved but its video is gone (${store.location(stored)}): restore it, or retake ${request.previousSequenceId} and approve the new take`,
        'ChainedFrameMissing',
      ),
    );
    const scratch = await mkdtemp(join(tmpdir(), 'recoil-chain-'));
    try {
      const last = join(scratch, 'last.png');
      await extractLastFrame(video, last);
      const { width, height } = request.resolution;
      // Same size as the sequence renders at: 'cover' crops rather than letterboxes, as a plan image is.
      await sharp(last).resize(width, height, { fit: 'cover' }).png().toFile(join(scratch, START_FRAME_FILE));
      const path = await selectStartFrame(store, join(scratch, START_FRAME_FILE), cleanDir(store.root, request));
      return { path, previous: { sequenceId: request.previousSequenceId, take }, by: `${request.previousSequenceId} ${takeFolderName(take)}'s last frame` };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}
