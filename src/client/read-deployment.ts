import type { Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { describeDeployment, type DeployedBuild, type DeploymentTarget, type DeploymentState } from '../temporal/worker-deployment.js';

const WORKER_DEPLOYMENT_VERSION = defineSearchAttributeKey('TemporalWorkerDeploymentVersion', SearchAttributeType.KEYWORD);
const VERSIONING_BEHAVIOR = defineSearchAttributeKey('TemporalWorkflowVersioningBehavior', SearchAttributeType.KEYWORD);

/** An open workflow and the build its next task goes to. */
export interface OpenWorkflow {
  workflowId: string;
  type: string;
  /** Pinned or AutoUpgrade, as the build that ran it declared; absent before its first task on a versioned worker. */
  behavior?: string;
}

export interface BuildView extends DeployedBuild {
  open: OpenWorkflow[];
}

export interface DeploymentView extends Omit<DeploymentState, 'builds'> {
  deploymentName: string;
  builds: BuildView[];
  /** Open workflows no versioned worker has run yet (started before the first versioned build, or waiting for one). */
  unversioned: OpenWorkflow[];
}

/** The deployment's builds, each with the open workflows it runs: what `recoil deploy status` and `recoil status` show. */
export async function readDeployment(client: Client, target: DeploymentTarget): Promise<DeploymentView> {
  const state = await describeDeployment(client.connection, target);
  const openByBuild = new Map<string, OpenWorkflow[]>();
  const unversioned: OpenWorkflow[] = [];
  for await (const execution of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    // The server's own search attributes say which build a workflow's tasks go to ("deployment:build").
    const version = execution.typedSearchAttributes.get(WORKER_DEPLOYMENT_VERSION);
    const behavior = execution.typedSearchAttributes.get(VERSIONING_BEHAVIOR);
    const open = { workflowId: execution.workflowId, type: execution.type, ...(behavior ? { behavior } : {}) };
    const prefix = `${target.deploymentName}:`;
    if (!version?.startsWith(prefix)) unversioned.push(open);
    else openByBuild.set(version.slice(prefix.length), [...(openByBuild.get(version.slice(prefix.length)) ?? []), open]);
  }
  const builds = (state?.builds ?? []).map((build) => ({ ...build, open: openByBuild.get(build.buildId) ?? [] }));
  return {
    deploymentName: target.deploymentName,
    ...(state?.current ? { current: state.current } : {}),
    ...(state?.ramping ? { ramping: state.ramping } : {}),
    builds,
    unversioned,
  };
}
