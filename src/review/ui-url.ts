/** Where Temporal Cloud's namespaces are browsed; a cloud address is `<namespace>.<account>.tmprl.cloud:7233`. */
const CLOUD_UI = 'https://cloud.temporal.io';

/**
 * The Web UI of the Temporal server at `address` (host:port, as TEMPORAL_ADDRESS is written).
 * RECOIL_UI_URL wins, for a UI served elsewhere (the compose stack's is on :8080). Otherwise the UI is
 * where `temporal server start-dev` puts it: the same host, the gRPC port + 1000.
 */
export function uiBaseUrl(address: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.RECOIL_UI_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  const { hostname, port } = new URL(`grpc://${address}`);
  if (hostname.endsWith('.tmprl.cloud')) return CLOUD_UI;
  return `http://${hostname}:${Number(port || 7233) + 1000}`;
}

/** The workflows of one project, listed in the Web UI. */
export function projectUiUrl(projectId: string, namespace: string, base: string): string {
  return `${base}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`RecoilProject="${projectId}"`)}`;
}

/** One workflow's page in the Web UI. */
export function workflowUiUrl(workflowId: string, namespace: string, base: string): string {
  return `${base}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}
