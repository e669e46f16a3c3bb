import type { Client, Connection } from '@temporalio/client';
import { episodeWorkflowId } from '../domain/ids.js';
import { listBoardRows, type BoardRow } from '../review/read-board.js';
import { episodeStatusQuery, type EpisodeStatus } from '../contract/episode.js';
import { statusQuery } from '../contract/sequence.js';
import type { EpisodeRef } from './refs.js';

/** What the console knows about one episode at one moment, from the workflows themselves. */
export interface EpisodeSnapshot extends EpisodeRef {
  episodeStatus?: EpisodeStatus;
  sequences: BoardRow[];
}

const QUERY_DEADLINE_MS = 3_000;
/** Sequences whose index entry did not change are still queried, this many per read, in turn. */
const ROLLING_QUERIES = 10;

/**
 * Reads an episode, or just the part a decision touched. A read lists the sequences from the
 * server's index in one call and queries only those whose state, spend or run changed, plus a few
 * others in turn: a large episode does not keep the worker busy answering the console.
 */
export class EpisodeReader {
  private turn = 0;

  constructor(
    private readonly client: Client,
    private readonly connection: Connection,
    readonly ref: EpisodeRef,
  ) {}

  async all(previous?: EpisodeSnapshot): Promise<EpisodeSnapshot> {
    const [episodeStatus, listed] = await Promise.all([this.episode(), listBoardRows(this.client, this.ref)]);
    const known = new Map(previous?.sequences.map((row) => [row.workflowId, row]));
    const inTurn = new Set(listed.slice(this.turn, this.turn + ROLLING_QUERIES).map((row) => row.workflowId));
    this.turn = this.turn + ROLLING_QUERIES >= listed.length ? 0 : this.turn + ROLLING_QUERIES;
    const sequences = await Promise.all(
      listed.map((row) => {
        const before = known.get(row.workflowId);
        const unchanged = before?.status && before.state === row.state && before.spentUsd === row.spentUsd && before.running === row.running;
        return unchanged && !inTurn.has(row.workflowId) ? before : this.sequence(row);
      }),
    );
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
