import type { Client, Connection, WorkflowExecutionInfo } from '@temporalio/client';
import type { SequenceState } from '../domain/state-machine.js';
import { SEQUENCE_CARD_MEMO, sequenceCard, statusQuery, type SequenceCard, type SequenceStatus } from '../contract/sequence.js';

export interface BoardRow {
  workflowId: string;
  episode: string;
  sequenceId: string;
  state: SequenceState | string;
  spentUsd: number;
  running: boolean;
  /** What the board shows: from the workflow's memo, or from the full status when it was queried. */
  card?: SequenceCard;
  /** The full status, when it was queried and a worker could answer. */
  status?: SequenceStatus;
}

/** Up to this many sequences, every one is queried for its full status (takes, decisions); beyond, memos only. */
const QUERY_EACH_UP_TO = 30;

export interface BoardFilter {
  projectId: string;
  episode?: string;
}

/**
 * Every sequence of a project (newest run of each) from one visibility listing, with the card each
 * keeps in its memo. A small board is also queried for every sequence's full status (its takes and
 * decisions). A large one is not: a query waits on the worker, which is busiest exactly when a board
 * is large, and a sequence with no card yet has just started, so its listed state says all there is.
 */
export async function readBoard(client: Client, connection: Connection, filter: BoardFilter): Promise<BoardRow[]> {
  const rows = await listBoardRows(client, filter);
  if (rows.length <= QUERY_EACH_UP_TO) await Promise.all(rows.map((row) => attachStatus(client, connection, row)));
  return rows;
}

/** The same rows from visibility alone (state and spend from search attributes): one call, no queries. */
export async function listBoardRows(client: Client, filter: BoardFilter): Promise<BoardRow[]> {
  const newest = new Map<string, WorkflowExecutionInfo>();
  for await (const info of client.workflow.list({ query: boardQuery(filter) })) {
    const seen = newest.get(info.workflowId);
    if (!seen || seen.startTime < info.startTime) newest.set(info.workflowId, info);
  }
  return [...newest.values()].map(toRow).sort((a, b) => a.workflowId.localeCompare(b.workflowId));
}

function boardQuery(filter: BoardFilter): string {
  const episode = filter.episode ? ` AND RecoilEpisode = ${quote(filter.episode)}` : '';
  return `WorkflowType = 'sequenceWorkflow' AND RecoilProject = ${quote(filter.projectId)}${episode}`;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

function toRow(info: WorkflowExecutionInfo): BoardRow {
  const attrs = info.typedSearchAttributes;
  const get = (name: string) => attrs.getAll().find((pair) => pair.key.name === name)?.value;
  const [, episode = '?', sequenceId = info.workflowId] = info.workflowId.split('/');
  return {
    workflowId: info.workflowId,
    episode,
    sequenceId,
    state: String(get('RecoilState') ?? 'unknown'),
    spentUsd: Number(get('RecoilCostUsd') ?? 0),
    running: info.status.name === 'RUNNING',
    ...cardOf(info),
  };
}

function cardOf(info: WorkflowExecutionInfo): { card?: SequenceCard } {
  const card = info.memo?.[SEQUENCE_CARD_MEMO] as SequenceCard | undefined;
  return card ? { card } : {};
}

async function attachStatus(client: Client, connection: Connection, row: BoardRow): Promise<void> {
  try {
    row.status = await connection.withDeadline(Date.now() + 3_000, () => client.workflow.getHandle(row.workflowId).query(statusQuery));
    row.state = row.status.state;
    row.spentUsd = row.status.spentUsd;
    row.card = sequenceCard(row.status);
  } catch {
    // Visibility data is still shown; details need a live worker.
  }
}
