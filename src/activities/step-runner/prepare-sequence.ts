import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, log } from '@temporalio/activity';
import sharp from 'sharp';
import type { ActivityDeps } from '../deps.js';
import { readableFile } from '../../store/artifact-store.js';
import { anyGridChosen, nextGridNumber } from '../../store/grids/grid-folders.js';
import { START_FRAME_FILE, selectStartFrame } from '../grids/extract-quadrant.js';
import { cleanDir, sequenceDir } from '../../store/sequence-dirs.js';
import { storedSpend } from '../../store/spent.js';
import { latestApprovedTake } from '../../store/takes/latest-approved-take.js';
import { firstFreeTakeNumber } from '../../store/takes/take-folders.js';
import { resolveInProject } from './video-job.js';
import type { PreparedSequence, PrepareRequest } from '../../contract/activities.js';

/**
 * Reads what is already on disk for a sequence, so numbering continues and a chosen frame is kept.
 * A plan's start_frame.image is copied again each run, so an edited image is used, unless a person
 * has since picked a frame from a grid; selectStartFrame keeps the frame it replaces.
 */
export function prepareSequenceActivity(deps: ActivityDeps) {
  return async function prepareSequence(request: PrepareRequest): Promise<PreparedSequence> {
    const { store } = deps;
    const [nextTake, nextGrid, spentEarlier] = await Promise.all([
      firstFreeTakeNumber(store, request),
      nextGridNumber(store, sequenceDir(store.root, request)),
      storedSpend(store, request, (message, detail) => log.warn(message, detail)),
    ]);
    const spentEarlierUsd = spentEarlier.totalUsd;
    const previousApproved = await previousApprovedTake(request);
    const existing = join(cleanDir(store.root, request), START_FRAME_FILE);
    const pickedFromGrid = await anyGridChosen(store, sequenceDir(store.root, request));
    if (request.startFrame?.kind !== 'image' || pickedFromGrid) {
      const earlier = { nextTake, nextGrid, spentEarlierUsd, ...previousApproved };
      return (await store.stat(existing)) ? { ...earlier, startFrame: { path: store.location(existing), by: 'an earlier run' } } : earlier;
    }
    const planned = resolveInProject(request.projectDir, request.startFrame.path);
    // Validation saw the image; if it has gone since, retrying will not bring it back.
    const gone = (why: string) => ApplicationFailure.nonRetryable(`the plan's start_frame.image ${planned} cannot be read (${why}): restore it, then run the episode again`, 'StartFrameMissing');
    const source = await readableFile(store, planned, () => gone('not stored'));
    await access(source).catch((err: NodeJS.ErrnoException) => {
      throw gone(err.code ?? err.message);
    });
    const path = await copyPlanImage(source, request);
    return { nextTake, nextGrid, spentEarlierUsd, ...previousApproved, startFrame: { path, by: 'the plan (start_frame.image)' } };
  };

  /** The previous sequence's take approved in an earlier run: a person may pick its last frame, or a chain start from it. */
  async function previousApprovedTake(request: PrepareRequest): Promise<Pick<PreparedSequence, 'previousApproved'>> {
    if (!request.previousSequenceId) return {};
    const previous = { projectId: request.projectId, episode: request.episode, sequenceId: request.previousSequenceId };
    const take = await latestApprovedTake(deps.store, previous);
    return take === undefined ? {} : { previousApproved: { sequenceId: request.previousSequenceId, take } };
  }

  async function copyPlanImage(source: string, request: PrepareRequest): Promise<string> {
    const { width, height } = request.resolution;
    // The video model gets exactly the project's resolution; 'cover' crops rather than letterboxes.
    const png = await sharp(await readFile(source)).resize(width, height, { fit: 'cover' }).png().toBuffer();
    const scratch = await mkdtemp(join(tmpdir(), 'recoil-frame-'));
    try {
      await writeFile(join(scratch, START_FRAME_FILE), png);
      return await selectStartFrame(deps.store, join(scratch, START_FRAME_FILE), cleanDir(deps.store.root, request));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}
