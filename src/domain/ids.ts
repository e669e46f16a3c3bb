/** Business-meaningful ids and folder names (contract.md §3, §4). */

export function episodeWorkflowId(projectId: string, episode: string): string {
  return `${projectId}/${episode}`;
}

export function sequenceWorkflowId(projectId: string, episode: string, sequenceId: string): string {
  return `${projectId}/${episode}/${sequenceId}`;
}

export function parseSequenceWorkflowId(id: string): { projectId: string; episode: string; sequenceId: string } | undefined {
  const parts = id.split('/');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) return undefined;
  const [projectId, episode, sequenceId] = parts as [string, string, string];
  return { projectId, episode, sequenceId };
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/** t001, t002…: never reused, allocated by the sequence workflow. */
export function takeFolderName(take: number): string {
  return `t${pad3(take)}`;
}

/** g001, g002…: each grid exploration. */
export function gridFolderName(grid: number): string {
  return `g${pad3(grid)}`;
}

/** Relative path of a sequence's artifacts under the artifacts root. */
export function sequenceArtifactsPath(projectId: string, episode: string, sequenceId: string): string {
  return `${projectId}/${episode}/${sequenceId}`;
}

export function takeArtifactsPath(projectId: string, episode: string, sequenceId: string, take: number): string {
  return `${sequenceArtifactsPath(projectId, episode, sequenceId)}/takes/${takeFolderName(take)}`;
}

export function deliveryArtifactsPath(projectId: string, episode: string): string {
  return `${projectId}/${episode}/delivery`;
}

export const TASK_QUEUE = 'recoil-pipeline';

/**
 * The workflow that shares one provider account's job limit among every episode served by the
 * task queue's workers (one deployment: one task queue on the namespace).
 */
export function accountGateWorkflowId(account: string, taskQueue: string): string {
  return `recoil-account-gate/${account}/${taskQueue}`;
}
