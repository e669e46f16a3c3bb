import { listDeliveries, type DeliverySummary } from '../store/delivery/list-deliveries.js';
import { formatLength } from '../domain/timecode.js';
import { takeFolderName } from '../domain/ids.js';
import { storeFromEnv } from '../store/store-from-env.js';

export interface EpisodeDeliveries {
  episode: string;
  versions: DeliverySummary[];
}

/** The delivered versions of each episode, read from the artifacts folder (no server needed). */
export async function readDeliveries(projectId: string, episodes: string[]): Promise<EpisodeDeliveries[]> {
  const root = storeFromEnv();
  const found = await Promise.all(episodes.map(async (episode) => ({ episode, versions: await listDeliveries(root, projectId, episode) })));
  return found.filter((e) => e.versions.length > 0);
}

export function renderDeliveries(deliveries: EpisodeDeliveries[]): string {
  return deliveries
    .flatMap(({ episode, versions }) =>
      versions.map((v) => {
        const when = v.createdAt ? v.createdAt.slice(0, 16).replace('T', ' ') : 'before manifests';
        const length = v.durationSec === null ? '' : ` · ${formatLength(v.durationSec)}`;
        const spend = v.totalSpendUsd === null ? '' : ` · spent $${v.totalSpendUsd.toFixed(2)}`;
        const takes = v.takes.map((t) => `${t.sequenceId} ${takeFolderName(t.take)}`).join(', ');
        return `  ${episode} ${v.name}  ${when}${length}${spend} · ${takes}\n    ${v.dir}`;
      }),
    )
    .join('\n');
}
