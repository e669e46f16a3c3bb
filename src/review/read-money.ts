import type { Client, Connection } from '@temporalio/client';
import { episodeWorkflowId } from '../domain/ids.js';
import { EPISODE_CARD_MEMO, episodeCard, episodeStatusQuery, type EpisodeCard } from '../contract/episode.js';

/**
 * The money line of each episode: budget, spent, reserved, left. From the card the episode keeps in
 * its memo (a describe, answered by the server however busy the worker is); a run from before the
 * card is asked by query, which needs a worker.
 */
export async function readEpisodeMoney(client: Client, connection: Connection, projectId: string, episodes: string[]): Promise<EpisodeCard[]> {
  const found = await Promise.all(episodes.map((episode) => readEpisodeCard(client, connection, episodeWorkflowId(projectId, episode))));
  return found.filter((s): s is EpisodeCard => s !== undefined);
}

async function readEpisodeCard(client: Client, connection: Connection, workflowId: string): Promise<EpisodeCard | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  const described = await handle.describe().catch(() => undefined);
  if (!described) return undefined;
  const card = described.memo?.[EPISODE_CARD_MEMO] as EpisodeCard | undefined;
  if (card) return card;
  const status = await connection.withDeadline(Date.now() + 3_000, () => handle.query(episodeStatusQuery)).catch(() => undefined);
  return status && episodeCard(status);
}

/**
 * Episodes whose RecoilState says `delivery_blocked` but whose status no worker answered: the index
 * still tells that they wait, though not why.
 */
export async function readBlockedWithoutAnswer(client: Client, projectId: string, episodes: string[], answered: EpisodeCard[]): Promise<string[]> {
  const silent = episodes.filter((episode) => !answered.some((s) => s.episode === episode));
  const states = await Promise.all(
    silent.map((episode) =>
      client.workflow
        .getHandle(episodeWorkflowId(projectId, episode))
        .describe()
        .then((d) => (d.status.name === 'RUNNING' ? d.typedSearchAttributes.getAll().find((p) => p.key.name === 'RecoilState')?.value : undefined))
        .catch(() => undefined),
    ),
  );
  return silent
    .filter((_, i) => states[i] === 'delivery_blocked')
    .map((episode) => `${episode}: delivery_blocked (the reason shows while a worker runs); once fixed: ${redeliverCommand({ projectId, episode })}`);
}

export function renderMoney(status: EpisodeCard): string {
  const usd = (v: number) => `$${v.toFixed(2)}`;
  const budget = status.budgetUsd === undefined ? 'no budget cap' : `budget ${usd(status.budgetUsd)}`;
  const left = status.leftUsd === undefined ? '' : ` · left ${usd(status.leftUsd)}`;
  const waiting = status.waiting.filter((w) => w.reason === 'budget').map((w) => w.sequenceId);
  const blocked = waiting.length ? ` · waiting for budget: ${waiting.join(', ')}` : '';
  return `${status.episode}: ${budget} · spent ${usd(status.spentUsd)} · reserved ${usd(status.reservedUsd)}${left}${blocked}`;
}

/**
 * An episode whose delivery was refused: the state, why, and the one command to run once it is
 * fixed; undefined when its delivery is not blocked.
 */
export function renderDeliveryBlock(status: EpisodeCard): string | undefined {
  const blocked = status.deliveryBlocked;
  if (status.state !== 'delivery_blocked' || !blocked) return undefined;
  const refused = blocked.attempts > 1 ? ` (refused ${blocked.attempts} times)` : '';
  return (
    `${status.episode}: delivery_blocked since ${blocked.since}${refused}: ${blocked.reason}\n` +
    `  fix that, then deliver again: ${redeliverCommand(status)}`
  );
}

export function redeliverCommand(status: Pick<EpisodeCard, 'projectId' | 'episode' | 'deliveryBlocked'>): string {
  const projectDir = status.deliveryBlocked?.projectDir;
  // A project whose files went to a bucket is named by its copy there, which `deliver` cannot load.
  return `npx recoil deliver ${quoteArg(projectDir && !projectDir.startsWith('s3://') ? projectDir : '<project-dir>')} ${status.episode}`;
}

function quoteArg(arg: string): string {
  return /^[\w./@:+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
