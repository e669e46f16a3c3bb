/** The Temporal Web UI: RECOIL_UI_URL, else the local dev server's. */
export function uiBaseUrl(): string {
  return process.env.RECOIL_UI_URL ?? 'http://127.0.0.1:8233';
}

export function workflowUiUrl(workflowId: string, namespace = 'default', base = uiBaseUrl()): string {
  return `${base}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}

export function projectUiUrl(projectId: string, namespace = 'default', base = uiBaseUrl()): string {
  return `${base}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`RecoilProject="${projectId}"`)}`;
}
