import { join } from 'node:path';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { latestApprovedTake } from '../../store/takes/latest-approved-take.js';
import { takeDir, takesDir } from '../../store/takes/take-folders.js';
import { MANIFEST_FILE, readManifest, VIDEO_FILE, type TakeDecision, type TakeManifest } from '../../store/takes/take-manifest.js';
import { DeliveryRefused } from './delivery-refused.js';
import type { DeliveryRequest, SequenceRef } from '../../contract/activities.js';

/** What to deliver: the episode's sequences in cut order, each with its approved take if known. */
export interface ApprovedTake {
  sequenceId: string;
  take: number;
  /** The video in this worker's mirror of the store, fetched. */
  videoPath: string;
  manifest: TakeManifest;
  /** The approval as take.json records it (absent when the workflow's record never reached disk). */
  approval: TakeDecision | undefined;
}

/** Every approved take of the selection with its take.json, refusing when one is not there to deliver. */
export async function readApprovedTakes(store: ArtifactStore, selection: DeliveryRequest): Promise<ApprovedTake[]> {
  const takes: ApprovedTake[] = [];
  const unapproved: SequenceRef[] = [];
  for (const { sequenceId, take } of selection.sequences) {
    const ref = { projectId: selection.projectId, episode: selection.episode, sequenceId };
    const number = take ?? (await latestApprovedTake(store, ref));
    if (number === undefined) {
      unapproved.push(ref);
      continue;
    }
    const dir = takeDir(store.root, { ...ref, take: number });
    const manifest = await readManifest(store, join(dir, MANIFEST_FILE));
    const videoPath = join(dir, VIDEO_FILE);
    if (!manifest || !(await store.fetch(videoPath))) {
      throw new DeliveryRefused(
        'take_missing',
        `${sequenceId} take ${number} is approved but ${manifest ? 'its video is missing' : 'its take.json is missing'}: ${store.location(manifest ? videoPath : join(dir, MANIFEST_FILE))}. ` +
          'Restore the take folder from a backup, or retake the sequence and approve the new take; nothing was delivered.',
      );
    }
    const approval = [...manifest.decisions].reverse().find((d) => d.decision === 'approved');
    takes.push({ sequenceId, take: number, videoPath, manifest, approval });
  }
  if (unapproved.length > 0) throw notApproved(store, unapproved);
  return takes;
}

function notApproved(store: ArtifactStore, refs: SequenceRef[]): DeliveryRefused {
  const [first] = refs;
  const which = refs.map((r) => r.sequenceId).join(', ');
  return new DeliveryRefused(
    'not_approved',
    `${which} ${refs.length === 1 ? 'has' : 'have'} no approved take (no take.json records an approval, e.g. under ${store.location(takesDir(store.root, first!))}): ` +
      `approve a take of each first (npx recoil approve ${first!.projectId} ${first!.episode} ${first!.sequenceId} --take N); nothing was delivered.`,
  );
}
