import type { Client, Connection } from '@temporalio/client';
import { episodeWorkflowId } from '../domain/ids.js';
import { readBoard, type BoardRow } from '../client/read-board.js';
import { episodeStatusQuery, type EpisodeStatus } from '../contract/episode.js';
import type { EpisodeRef } from './refs.js';

/** What the console knows about one episode at one moment, from the workflows themselves. */
export interface EpisodeSnapshot extends EpisodeRef {
  episodeStatus?: EpisodeStatus;
  sequences: BoardRow[];
}

export async function readEpisodeSnapshot(client: Client, connection: Connection, ref: EpisodeRef): Promise<EpisodeSnapshot> {
  const [episodeStatus, sequences] = await Promise.all([readEpisodeStatus(client, connection, ref), readBoard(client, connection, ref)]);
  return { ...ref, ...(episodeStatus ? { episodeStatus } : {}), sequences };
}

async function readEpisodeStatus(client: Client, connection: Connection, ref: EpisodeRef): Promise<EpisodeStatus | undefined> {
  try {
    const handle = client.workflow.getHandle(episodeWorkflowId(ref.projectId, ref.episode));
    return await connection.withDeadline(Date.now() + 3_000, () => handle.query(episodeStatusQuery));
  } catch {
    // A finished episode with no worker to answer still shows its sequences.
    return undefined;
  }
}
