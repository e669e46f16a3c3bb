import { setTimeout as sleep } from 'node:timers/promises';
import proto from '@temporalio/proto';

type WorkflowService = proto.temporal.api.workflowservice.v1.WorkflowService;
const { RoutingConfigUpdateState, VersionDrainageStatus, WorkerDeploymentVersionStatus } = proto.temporal.api.enums.v1;
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
  /** When it last stopped being current: the newest such build is the one a rollback returns to. */
  currentUntil?: Date;
}

export interface DeploymentState {
  current?: string;
  ramping?: string;
  builds: DeployedBuild[];
  /** Makes a change conditional on nobody having changed the deployment since this was read. */
  conflictToken?: Uint8Array;
}

/** The deployment's builds and which one takes new workflows; undefined when no versioned worker has polled yet. */
export async function describeDeployment(connection: HasWorkflowService, target: DeploymentTarget): Promise<DeploymentState | undefined> {
  try {
    const { workerDeploymentInfo, conflictToken } = await connection.workflowService.describeWorkerDeployment({
      namespace: target.namespace,
      deploymentName: target.deploymentName,
    });
    const routing = workerDeploymentInfo?.routingConfig;
    const builds = (workerDeploymentInfo?.versionSummaries ?? []).map((summary) => {
      const createdAt = dateOf(summary.createTime);
      const currentUntil = dateOf(summary.lastDeactivationTime);
      return {
        buildId: summary.deploymentVersion?.buildId ?? '',
        status: buildStatus(summary.status, summary.drainageStatus),
        ...(createdAt ? { createdAt } : {}),
        ...(currentUntil ? { currentUntil } : {}),
      };
    });
    const current = routing?.currentDeploymentVersion?.buildId || undefined;
    const ramping = routing?.rampingDeploymentVersion?.buildId || undefined;
    return {
      ...(current ? { current } : {}),
      ...(ramping ? { ramping } : {}),
      builds: builds.sort(byCreation),
      ...(conflictToken?.length ? { conflictToken } : {}),
    };
  } catch (error) {
    if ((error as { code?: number }).code === NOT_FOUND) return undefined;
    throw error;
  }
}

/**
 * Makes a build the one every new workflow (and every auto-upgrade workflow's next task) runs on;
 * with the state it was decided on, only if nobody changed the deployment since.
 */
export async function makeCurrent(
  connection: HasWorkflowService,
  target: DeploymentTarget,
  buildId: string,
  identity: string,
  options: { decidedOn?: DeploymentState; evenIfQueuesAreLeft?: boolean } = {},
): Promise<{ previous?: string }> {
  const response = await connection.workflowService.setWorkerDeploymentCurrentVersion({
    namespace: target.namespace,
    deploymentName: target.deploymentName,
    buildId,
    identity,
    ...(options.decidedOn?.conflictToken ? { conflictToken: options.decidedOn.conflictToken } : {}),
    // The server refuses a build that polls fewer task queues than the current one, unless told to go on.
    ...(options.evenIfQueuesAreLeft ? { ignoreMissingTaskQueues: true } : {}),
  });
  await untilRoutingIsEverywhere(connection, target);
  const previous = response.previousDeploymentVersion?.buildId || undefined;
  return previous ? { previous } : {};
}

// The server hands the new routing to every task queue after it answers; new work follows it only then.
async function untilRoutingIsEverywhere(connection: HasWorkflowService, target: DeploymentTarget, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { workerDeploymentInfo } = await connection.workflowService.describeWorkerDeployment({ namespace: target.namespace, deploymentName: target.deploymentName });
    if (workerDeploymentInfo?.routingConfigUpdateState !== RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS || Date.now() > deadline) return;
    await sleep(200);
  }
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
      // Workers of one build starting together: the first makes it current, the others see that.
      // `always` means this worker alone takes the work, even on task queues the previous build polled.
      const made = await makeCurrent(connection, target, buildId, identity, { decidedOn: state, evenIfQueuesAreLeft: policy === 'always' }).then(
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

/** The build a rollback returns to: the one current most recently before the current one, else the newest older one. */
export function previousBuild(state: DeploymentState): DeployedBuild | undefined {
  const others = state.builds.filter((build) => build.buildId !== state.current);
  const wasCurrent = others.filter((build) => build.currentUntil).sort((a, b) => b.currentUntil!.getTime() - a.currentUntil!.getTime());
  if (wasCurrent[0]) return wasCurrent[0];
  const currentCreated = state.builds.find((build) => build.buildId === state.current)?.createdAt?.getTime() ?? Infinity;
  return others.filter((build) => (build.createdAt?.getTime() ?? 0) < currentCreated).at(-1);
}

/** The newest build that is not current: what a rollout promotes when no build is named. */
export function newestBuild(state: DeploymentState): DeployedBuild | undefined {
  return state.builds.filter((build) => build.buildId !== state.current).at(-1);
}

function dateOf(timestamp: { seconds?: unknown } | null | undefined): Date | undefined {
  const seconds = Number(timestamp?.seconds ?? 0);
  return seconds > 0 ? new Date(seconds * 1000) : undefined;
}

function byCreation(a: DeployedBuild, b: DeployedBuild): number {
  return (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0);
}
