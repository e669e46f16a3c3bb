import type { Client, Connection, WorkflowExecutionInfo } from '@temporalio/client';
import type { SequenceState } from '../domain/state-machine.js';
import { statusQuery, type SequenceStatus } from '../contract/sequence.js';

export interface BoardRow {
  workflowId: string;
  episode: string;
  sequenceId: string;
  state: SequenceState | string;
  spentUsd: number;
  running: boolean;
  /** The full status, when a worker could answer the query. */
  status?: SequenceStatus;
}

export interface BoardFilter {
  projectId: string;
  episode?: string;
}

/** Every sequence of a project (newest run of each), from visibility, enriched by the status query. */
export async function readBoard(client: Client, connection: Connection, filter: BoardFilter): Promise<BoardRow[]> {
  const rows = await listBoardRows(client, filter);
  await Promise.all(rows.map((row) => attachStatus(client, connection, row)));
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
  };
}

async function attachStatus(client: Client, connection: Connection, row: BoardRow): Promise<void> {
  try {
    row.status = await connection.withDeadline(Date.now() + 3_000, () => client.workflow.getHandle(row.workflowId).query(statusQuery));
    row.state = row.status.state;
    row.spentUsd = row.status.spentUsd;
  } catch {
    // Visibility data is still shown; details need a live worker.
  }
}
