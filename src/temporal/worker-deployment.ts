import { setTimeout as sleep } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';

type WorkflowService = temporal.api.workflowservice.v1.WorkflowService;
const { VersionDrainageStatus, WorkerDeploymentVersionStatus } = temporal.api.enums.v1;
// gRPC's status code for a deployment no worker has registered yet.
const NOT_FOUND = 5;

/** Anything holding the gRPC workflow service: a client's Connection or a worker's NativeConnection. */
export interface HasWorkflowService {
  workflowService: WorkflowService;
}

export interface DeploymentTarget {
  namespace: string;
  deploymentName: string;
}

/** One build of the deployment, as the server sees it. */
export interface DeployedBuild {
  buildId: string;
  /** current | ramping | draining | drained | inactive: what the server says the build is for now. */
  status: string;
  createdAt?: Date;
}

export interface DeploymentState {
  current?: string;
  ramping?: string;
  builds: DeployedBuild[];
}

/** The deployment's builds and which one takes new workflows; undefined when no versioned worker has polled yet. */
export async function describeDeployment(connection: HasWorkflowService, target: DeploymentTarget): Promise<DeploymentState | undefined> {
  try {
    const { workerDeploymentInfo } = await connection.workflowService.describeWorkerDeployment({
      namespace: target.namespace,
      deploymentName: target.deploymentName,
    });
    const routing = workerDeploymentInfo?.routingConfig;
    const builds = (workerDeploymentInfo?.versionSummaries ?? []).map((summary) => ({
      buildId: summary.deploymentVersion?.buildId ?? '',
      status: buildStatus(summary.status, summary.drainageStatus),
      ...(summary.createTime?.seconds ? { createdAt: new Date(Number(summary.createTime.seconds) * 1000) } : {}),
    }));
    const current = routing?.currentDeploymentVersion?.buildId || undefined;
    const ramping = routing?.rampingDeploymentVersion?.buildId || undefined;
    return { ...(current ? { current } : {}), ...(ramping ? { ramping } : {}), builds: builds.sort(byCreation) };
  } catch (error) {
    if ((error as { code?: number }).code === NOT_FOUND) return undefined;
    throw error;
  }
}

/** Makes a build the one every new workflow (and every auto-upgrade workflow's next task) runs on. */
export async function makeCurrent(connection: HasWorkflowService, target: DeploymentTarget, buildId: string, identity: string): Promise<{ previous?: string }> {
  const response = await connection.workflowService.setWorkerDeploymentCurrentVersion({
    namespace: target.namespace,
    deploymentName: target.deploymentName,
    buildId,
    identity,
  });
  const previous = response.previousDeploymentVersion?.buildId || undefined;
  return previous ? { previous } : {};
}

export type PromotePolicy = 'always' | 'if-none' | 'never';
export const PROMOTE_POLICIES: readonly PromotePolicy[] = ['always', 'if-none', 'never'];

/**
 * What a starting worker does about its own build: `always` makes it current (one worker alone: dev,
 * the demo, tests), `if-none` only when the deployment has no current build yet (a first install),
 * `never` leaves that to `recoil deploy promote` (a rollout beside a running build).
 * The server knows a build only once its worker polls, so this waits for the build to appear.
 */
export async function promoteOnStart(
  connection: HasWorkflowService,
  target: DeploymentTarget,
  buildId: string,
  policy: PromotePolicy,
  identity: string,
  timeoutMs = 120_000,
): Promise<'made current' | 'already current' | 'left as it is'> {
  if (policy === 'never') return 'left as it is';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await describeDeployment(connection, target).catch(() => undefined);
    if (state?.current === buildId) return 'already current';
    if (state && policy === 'if-none' && state.current) return 'left as it is';
    if (state?.builds.some((build) => build.buildId === buildId)) {
      const made = await makeCurrent(connection, target, buildId, identity).then(
        () => true,
        (error: Error) => {
          if (Date.now() > deadline) throw error;
          return false;
        },
      );
      if (made) return 'made current';
    } else if (Date.now() > deadline) {
      throw new Error(`build ${buildId} did not appear in worker deployment ${target.deploymentName} within ${timeoutMs / 1000} s`);
    }
    await sleep(250);
  }
}

function buildStatus(status: number | null | undefined, drainage: number | null | undefined): string {
  switch (status) {
    case WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT:
      return 'current';
    case WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING:
      return 'ramping';
    case WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING:
      return drainage === VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINED ? 'drained' : 'draining';
    case WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED:
      return 'drained';
    default:
      return 'inactive';
  }
}

function byCreation(a: DeployedBuild, b: DeployedBuild): number {
  return (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0);
}
