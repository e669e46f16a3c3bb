import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { activityInfo, ApplicationFailure, Context } from '@temporalio/activity';
import { videoResolution } from '../../domain/aspect-ratio.js';
import type { GridSummary } from '../../contract/sequence.js';
import type { ActivityDeps } from '../deps.js';
import { fetched, readJson, writeJson, type ArtifactStore } from '../../store/artifact-store.js';
import { extractGridQuadrants } from '../grids/extract-quadrant.js';
import { GRID_IMAGE_FILE, GRID_RECEIPT_FILE, gridDir, readGridManifest, writeGridManifest } from '../../store/grids/grid-folders.js';
import { criticiseGrid } from '../critics/grid-critics.js';
import type { GridExplorationRequest, PaidCallFailureDetails } from '../../contract/activities.js';
import { paidCall, withBilling } from '../paid-call-failure.js';
import { IMAGELESS } from '../providers/grid-provider.js';
import type { GridImage, GridProvider } from '../providers/grid-provider.js';
import { wasNotAccepted } from '../providers/provider.js';

const ATTEMPT_MARKER = '.requested';
const IMAGELESS_MARKER = '.imageless';

type Receipt = Omit<GridImage, 'png' | 'mimeType'>;

/**
 * StepRunner.execute_grid_exploration: one 2x2 grid of start-frame options into grids/gNNN/,
 * sliced into q1–q4 at the video resolution and checked by the grid critics.
 * Gemini has no idempotency key, so a retry after an unanswered paid call stops for a person.
 */
export function executeGridExplorationActivity(deps: ActivityDeps) {
  return (request: GridExplorationRequest): Promise<GridSummary> => withBilling(() => exploreGrid(deps, request));
}

async function exploreGrid(deps: ActivityDeps, request: GridExplorationRequest): Promise<GridSummary> {
  const { store } = deps;
  const dir = gridDir(store.root, request, request.grid);
  const existing = await readGridManifest(store, dir);
  if (existing) {
    const gridPath = await fetched(store, join(dir, GRID_IMAGE_FILE), () => new Error(`grid.json of ${store.location(dir)} has no grid.png beside it`));
    return summaryOf(store, request, dir, existing.costUsd, existing.quadrants, await criticiseGrid(gridPath, request.aspectRatio));
  }

  const provider = deps.gridProviders[request.provider];
  if (!provider) {
    throw ApplicationFailure.nonRetryable(`this worker has no "${request.provider}" grid provider: set GEMINI_API_KEY in the worker environment`, 'ProviderUnavailable');
  }
  await mkdir(dir, { recursive: true });
  const gridPath = join(dir, GRID_IMAGE_FILE);
  // A paid image saved by an attempt that stopped before slicing it is used, not paid for again.
  const image = (await savedGrid(store, dir)) ?? (await requestGrid(store, provider, request, dir));
  const target = videoResolution(request.aspectRatio);
  const { quadrants, cropped } = await extractGridQuadrants(gridPath, target);
  // grid.json goes last: a grid is whole once it names its quadrants.
  await Promise.all(quadrants.map((q) => store.publish(q)));
  const size = await imageSize(gridPath);
  const relative = quadrants.map((q) => q.slice(dir.length + 1));
  await writeGridManifest(store, dir, {
    schemaVersion: 1,
    grid: request.grid,
    prompt: request.prompt,
    provider: provider.name,
    model: image.model,
    costUsd: image.costUsd,
    ...(image.imageTokens !== undefined ? { imageTokens: image.imageTokens } : {}),
    aspectRatio: request.aspectRatio,
    size,
    quadrantSize: target,
    quadrants: relative,
    cropped,
    createdAt: new Date().toISOString(),
  });
  return summaryOf(store, request, dir, image.costUsd, relative, await criticiseGrid(gridPath, request.aspectRatio));
}

async function requestGrid(store: ArtifactStore, provider: GridProvider, request: GridExplorationRequest, dir: string): Promise<Receipt> {
  await guardAgainstPayingTwice(store, dir, request, provider.name !== 'local');
  const image = await paidCall(() =>
    provider
      .generateGrid({
        prompt: request.prompt,
        aspectRatio: request.aspectRatio,
        seed: `${request.projectId}/${request.episode}/${request.sequenceId}/g${request.grid}/${request.prompt}`,
        signal: Context.current().cancellationSignal,
      })
      .catch(async (err: unknown) => {
        // Certainly not generated (an error answer, or no server): the next attempt may ask again.
        if (wasNotAccepted(err)) await store.remove(join(dir, ATTEMPT_MARKER));
        if (isImageless(err)) await allowOneMoreAsk(store, dir, err);
        throw err;
      }),
  );
  const { png, mimeType: _mimeType, ...receipt } = image;
  // The image is stored before its receipt: a receipt says a paid image is there to be used.
  const gridPath = join(dir, GRID_IMAGE_FILE);
  await writeFile(`${gridPath}.part`, png);
  await rename(`${gridPath}.part`, gridPath);
  await store.publish(gridPath);
  await writeJson(store, join(dir, GRID_RECEIPT_FILE), receipt);
  return receipt;
}

/**
 * An answer without an image is a model hiccup, worth asking once more; the next attempt may ask
 * again instead of stopping as a possibly paid, unanswered call. A second such answer is final.
 */
async function allowOneMoreAsk(store: ArtifactStore, dir: string, err: ApplicationFailure): Promise<void> {
  const marker = join(dir, IMAGELESS_MARKER);
  if (await store.stat(marker)) {
    throw ApplicationFailure.create({ message: `${err.message}, twice: rephrase the start_frame prompt and ask for new options`, type: IMAGELESS, nonRetryable: true });
  }
  await store.writeText(marker, new Date().toISOString());
  await store.remove(join(dir, ATTEMPT_MARKER));
}

function isImageless(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === IMAGELESS;
}

async function savedGrid(store: ArtifactStore, dir: string): Promise<Receipt | undefined> {
  const receipt = await readJson<Receipt>(store, join(dir, GRID_RECEIPT_FILE));
  if (receipt === undefined) return undefined;
  return (await store.fetch(join(dir, GRID_IMAGE_FILE))) ? receipt : undefined;
}

async function guardAgainstPayingTwice(store: ArtifactStore, dir: string, request: GridExplorationRequest, paid: boolean): Promise<void> {
  const marker = join(dir, ATTEMPT_MARKER);
  const earlier = await store.readText(marker);
  if (earlier !== undefined && paid && activityInfo().attempt > 1) {
    const billing: PaidCallFailureDetails = { billing: 'may_have_charged' };
    throw ApplicationFailure.create({
      message:
        `grid ${request.grid} was requested from Gemini before, but no image was saved; it may have been charged. ` +
        'Ask for new options (`npx recoil frame … --regenerate`) to try again',
      type: 'UnknownSubmission',
      nonRetryable: true,
      details: [billing],
    });
  }
  await store.writeText(marker, new Date().toISOString());
}

async function imageSize(path: string) {
  const meta = await sharp(path).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0 };
}

function summaryOf(store: ArtifactStore, request: GridExplorationRequest, dir: string, costUsd: number, quadrants: string[], critics: GridSummary['critics']): GridSummary {
  return {
    grid: request.grid,
    folder: store.location(dir),
    gridPath: store.location(join(dir, GRID_IMAGE_FILE)),
    quadrants: quadrants.map((q) => store.location(join(dir, q))),
    prompt: request.prompt,
    costUsd,
    ...(critics ? { critics } : {}),
  };
}
