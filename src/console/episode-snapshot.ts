import type { Client, Connection } from '@temporalio/client';
import { episodeWorkflowId } from '../domain/ids.js';
import { readBoard, type BoardRow } from '../client/read-board.js';
import { episodeStatusQuery, type EpisodeStatus } from '../contract/episode.js';
import { statusQuery } from '../contract/sequence.js';
import type { EpisodeRef } from './refs.js';

/** What the console knows about one episode at one moment, from the workflows themselves. */
export interface EpisodeSnapshot extends EpisodeRef {
  episodeStatus?: EpisodeStatus;
  sequences: BoardRow[];
}

const QUERY_DEADLINE_MS = 3_000;

/** Reads an episode whole, or just the part a decision touched. */
export class EpisodeReader {
  constructor(
    private readonly client: Client,
    private readonly connection: Connection,
    readonly ref: EpisodeRef,
  ) {}

  async all(): Promise<EpisodeSnapshot> {
    const [episodeStatus, sequences] = await Promise.all([this.episode(), readBoard(this.client, this.connection, this.ref)]);
    return { ...this.ref, ...(episodeStatus ? { episodeStatus } : {}), sequences };
  }

  /** undefined when no worker answers (a finished episode still shows its sequences). */
  async episode(): Promise<EpisodeStatus | undefined> {
    const handle = this.client.workflow.getHandle(episodeWorkflowId(this.ref.projectId, this.ref.episode));
    return this.query(() => handle.query(episodeStatusQuery));
  }

  async sequence(row: BoardRow): Promise<BoardRow> {
    const handle = this.client.workflow.getHandle(row.workflowId);
    const status = await this.query(() => handle.query(statusQuery));
    return status ? { ...row, status, state: status.state, spentUsd: status.spentUsd } : row;
  }

  private async query<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, read);
    } catch {
      return undefined;
    }
  }
}
