import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { aleLog } from '../../domain/editorial/ale.js';
import { burnInCaptions } from '../../domain/editorial/burn-in.js';
import { cmx3600Edl } from '../../domain/editorial/edl.js';
import { cutFrames, recordOffsets, recordStartFrame, versionName, type EditorialCut } from '../../domain/editorial/cut.js';
import { fcp7Xml } from '../../domain/editorial/fcp7-xml.js';
import { fcpxXml } from '../../domain/editorial/fcpx-xml.js';
import { otioJson } from '../../domain/editorial/otio.js';
import { roundUsd } from '../../domain/price-table.js';
import { formatFrameRate, framesToSeconds, framesToTimecode } from '../../domain/timecode.js';
import { burnInCut } from '../media/burn-in.js';
import { concatVideos } from '../media/concat.js';
import { firstFreeNumber } from '../../store/numbered-folders.js';
import { storedSpend, sumSpend, type Spend } from '../../store/spent.js';
import type { DeliveryRequest } from '../../contract/activities.js';
import { readApprovedTakes, type ApprovedTake } from './approved-takes.js';
import { renderContactSheet } from './contact-sheet.js';
import { cutFromTakes } from './cut-from-takes.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { DELIVERY_MANIFEST_FILE, writeDeliveryManifest } from '../../store/delivery/delivery-manifest.js';
import { deliveredMediaPath, deliveryFiles } from '../../store/delivery/delivery-files.js';
import { DeliveryRefused } from './delivery-refused.js';
import { deliveriesDir, listDeliveries } from '../../store/delivery/list-deliveries.js';
import { writeDeliveredMedia } from './delivered-media.js';
import { writeOtioBundle } from './otio-bundle.js';
import { probeTakeMedia, type TakeMedia } from './take-media.js';

/** What names a version before its files are made. */
type VersionFacts = Pick<EditorialCut, 'projectId' | 'episode' | 'version' | 'createdAt'>;

export interface BuiltDelivery {
  /** False when the latest version already holds exactly these approved takes: nothing new was made. */
  created: boolean;
  version: number;
  /** Locations (a folder's path, or s3://…): where people and other processes find the version. */
  dir: string;
  cutPath: string;
  timelinePath: string;
}

/** Another delivery may claim the same version number first; then this one takes the next, a few times. */
const MAX_VERSION_RACES = 3;

/**
 * Delivers the approved takes as the next version (delivery/v001, v002…): the takes as timecoded,
 * reel-named sources under media/, the joined cut (timecode from 01:00:00:00) and a burn-in copy,
 * an OTIO timeline and its .otioz bundle, a CMX 3600 EDL, FCP7 and FCPX XML, an ALE, a contact
 * sheet and manifest.json. OTIO, EDL, ALE and timeline.json refer to the media relative to the
 * version, so it is whole wherever it is copied; the XMLs carry the absolute URLs their importers
 * want. The version is built in a hidden folder beside it and renamed into place, so a version
 * folder is always complete. The same
 * approved takes as the latest version make no new one (a retried activity lands here too).
 */
export async function buildDelivery(store: ArtifactStore, selection: DeliveryRequest, signal?: AbortSignal): Promise<BuiltDelivery> {
  const { projectId, episode } = selection;
  if (selection.sequences.length === 0) throw new DeliveryRefused('not_approved', `${projectId} ${episode} has no sequences to deliver`);
  const takes = await readApprovedTakes(store, selection);
  const unchanged = await latestHolding(store, selection, takes);
  if (unchanged) return unchanged;
  const media = await probeTakeMedia(takes);
  const spend = await episodeSpend(store, selection);
  const parent = deliveriesDir(store.root, projectId, episode);
  await writable(store, parent, () => mkdir(parent, { recursive: true }));
  for (let race = 0; ; race++) {
    const version = await firstFreeNumber(store, parent, 'v');
    const finalDir = join(parent, versionName(version));
    const staging = await writable(store, parent, () => mkdtemp(join(parent, `.${versionName(version)}-`)));
    try {
      const facts = { projectId, episode, version, createdAt: new Date().toISOString() };
      await writable(store, parent, () => writeVersion({ dir: staging, finalDir, signal }, facts, takes, media, spend));
      // Published whole, manifest.json last, and only if no other delivery took the number meanwhile.
      if (await writable(store, parent, () => store.publishFolder(staging, finalDir, [DELIVERY_MANIFEST_FILE]))) return resultOf(store, finalDir, version, episode, true);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    // Another delivery took this number: it may be these very takes (a retry that raced its first attempt).
    const winner = await latestHolding(store, selection, takes);
    if (winner) return winner;
    if (race >= MAX_VERSION_RACES) throw new Error(`${store.location(parent)}: other deliveries kept taking the next version number; deliver again`);
  }
}

/** The latest version, when it holds exactly these takes in this order. */
async function latestHolding(store: ArtifactStore, selection: DeliveryRequest, takes: readonly ApprovedTake[]): Promise<BuiltDelivery | undefined> {
  const latest = (await listDeliveries(store, selection.projectId, selection.episode)).at(-1);
  const same = latest !== undefined && latest.takes.length === takes.length && latest.takes.every((t, i) => t.sequenceId === takes[i]!.sequenceId && t.take === takes[i]!.take);
  return same ? resultOf(store, store.pathOf(latest.dir), latest.version, selection.episode, false) : undefined;
}

/** Where the version is written, and where it will be once renamed into place (the NLE files' absolute URLs). */
interface VersionPlace {
  dir: string;
  finalDir: string;
  /** Cancels the long encodes when the activity is cancelled or timed out. */
  signal?: AbortSignal;
}

async function writeVersion({ dir, finalDir, signal }: VersionPlace, version: VersionFacts, takes: readonly ApprovedTake[], media: readonly TakeMedia[], spend: Spend): Promise<void> {
  const files = deliveryFiles(version.episode);
  const mediaPaths = takes.map((take) => deliveredMediaPath(version.episode, take.sequenceId, take.take));
  const cut = cutFromTakes({ ...version, takes, media, mediaPaths });
  const deliveryUrl = pathToFileURL(`${finalDir}/`).href;
  await writeDeliveredMedia(dir, cut, takes.map((t) => t.videoPath));
  await concatVideos(mediaPaths.map((path) => join(dir, path)), join(dir, files.cut), {
    startTimecode: framesToTimecode(recordStartFrame(cut), cut.rate),
    encodeAudio: true,
  });
  await writeFile(join(dir, files.otio), otioJson(cut));
  await writeOtioBundle(dir, cut, join(dir, files.otioz));
  await writeFile(join(dir, files.edl), cmx3600Edl(cut));
  await writeFile(join(dir, files.fcp7), fcp7Xml(cut, deliveryUrl));
  await writeFile(join(dir, files.fcpx), fcpxXml(cut, deliveryUrl));
  await writeFile(join(dir, files.ale), aleLog(cut));
  await writeFile(join(dir, files.timeline), timelineJson(cut));
  const workDir = await mkdtemp(join(dir, '.work-'));
  try {
    await burnInCut(join(dir, files.cut), join(dir, files.burnIn), { captions: burnInCaptions(cut), startTimecode: framesToTimecode(recordStartFrame(cut), cut.rate), rate: cut.rate, workDir, ...(signal ? { signal } : {}) });
    await renderContactSheet({
      cut,
      videoOf: (clip) => join(dir, clip.mediaPath),
      totalSpendUsd: spend.totalUsd,
      workDir,
      outPath: join(dir, files.contactSheet),
      pdfPath: join(dir, files.contactSheetPdf),
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  await writeDeliveryManifest(dir, {
    projectId: cut.projectId,
    episode: cut.episode,
    version: cut.version,
    createdAt: cut.createdAt,
    takes: cut.clips.map(({ sequenceId, take }) => ({ sequenceId, take })),
    durationSec: framesToSeconds(cutFrames(cut), cut.rate),
    frameRate: formatFrameRate(cut.rate),
    width: cut.width,
    height: cut.height,
    totalSpendUsd: spend.totalUsd,
    billedSpendUsd: spend.billedUsd,
    estimatedSpendUsd: roundUsd(spend.totalUsd - spend.billedUsd),
  });
}

/** Our own plain timeline, kept for scripts that read it: where each take sits in the cut, in seconds; sources relative to the version. */
function timelineJson(cut: EditorialCut): string {
  const offsets = recordOffsets(cut);
  const entries = cut.clips.map((clip, i) => ({
    sequenceId: clip.sequenceId,
    take: clip.take,
    source: clip.mediaPath,
    startSec: framesToSeconds(offsets[i]!, cut.rate),
    durationSec: framesToSeconds(clip.frames, cut.rate),
  }));
  return `${JSON.stringify({ episode: cut.episode, version: cut.version, frameRate: formatFrameRate(cut.rate), entries }, null, 2)}\n`;
}

/** Everything the episode's sequences cost, rejected takes and grids included: what the client paid. */
async function episodeSpend(store: ArtifactStore, selection: DeliveryRequest): Promise<Spend> {
  const spent = await Promise.all(selection.sequences.map(({ sequenceId }) => storedSpend(store, { projectId: selection.projectId, episode: selection.episode, sequenceId })));
  return sumSpend(spent);
}

function resultOf(store: ArtifactStore, dir: string, version: number, episode: string, created: boolean): BuiltDelivery {
  const files = deliveryFiles(episode);
  return { created, version, dir: store.location(dir), cutPath: store.location(join(dir, files.cut)), timelinePath: store.location(join(dir, files.timeline)) };
}

const CANNOT_WRITE = new Set(['EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR']);

/** A folder the delivery cannot be written to is named with what to do, not left as a bare errno. */
async function writable<T>(store: ArtifactStore, parent: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code || !CANNOT_WRITE.has(code)) throw err;
    throw new DeliveryRefused(
      'unwritable',
      `cannot write the delivery into ${store.location(parent)} (${code}: ${(err as Error).message}). Give this process write access and free space there ` +
        '(or set RECOIL_ARTIFACTS_DIR to a writable folder), then deliver again; nothing was delivered.',
    );
  }
}
