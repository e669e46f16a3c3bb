import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { EpisodeListing } from './pages/home.js';

/** Every episode this Temporal server has seen, newest first (newest run of each). */
export async function listEpisodes(client: Client): Promise<EpisodeListing[]> {
  const newest = new Map<string, WorkflowExecutionInfo>();
  for await (const info of client.workflow.list({ query: `WorkflowType = 'episodeWorkflow'` })) {
    const seen = newest.get(info.workflowId);
    if (!seen || seen.startTime < info.startTime) newest.set(info.workflowId, info);
  }
  return [...newest.values()]
    .flatMap((info) => {
      const [projectId, episode] = info.workflowId.split('/');
      return projectId && episode ? [{ projectId, episode, running: info.status.name === 'RUNNING', startedAt: info.startTime }] : [];
    })
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}
