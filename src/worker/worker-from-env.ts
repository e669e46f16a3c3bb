import type { Pricing } from '../domain/price-table.js';
import { dataConverterFromEnv } from '../codec/data-converter.js';
import { temporalTarget } from '../temporal/connection-config.js';
import { artifactsRootFromEnv } from './artifacts-root.js';
import { providersFromEnv } from './providers-from-env.js';
import type { DeploymentChoice, RunWorkerOptions } from './run-worker.js';
import { RECOIL_DEPLOYMENT } from '../contract/deployment.js';
import { usageError } from '../client/cli-error.js';
import { PROMOTE_POLICIES, type PromotePolicy } from '../temporal/worker-deployment.js';

/** A Temporal server this process already found or started (`recoil dev`, `recoil demo`). */
export interface KnownServer {
  address: string;
  namespace: string;
  taskQueue: string;
}

/**
 * A worker configured from this process's environment, as `recoil worker`, `dev` and `demo` run it:
 * Temporal from TEMPORAL_* (or the server given), takes under RECOIL_ARTIFACTS_DIR, and the providers
 * whose keys are set.
 */
export function workerFromEnv(pricing: Pricing, server?: KnownServer): RunWorkerOptions {
  const target = temporalTarget();
  const artifactsRoot = artifactsRootFromEnv();
  return {
    connection: server ? { address: server.address } : target.connectionOptions,
    namespace: server?.namespace ?? target.namespace,
    taskQueue: server?.taskQueue ?? target.taskQueue,
    artifactsRoot,
    ...providersFromEnv(artifactsRoot, pricing),
    ...dataConverterFromEnv(),
    // A worker beside a server of its own (`recoil dev`, the demo) is the only build there: it is current.
    deployment: deploymentFromEnv(server ? 'always' : 'if-none'),
  };
}

/** RECOIL_DEPLOYMENT names the Worker Deployment; RECOIL_DEPLOYMENT_PROMOTE says whether this build becomes current at start. */
export function deploymentFromEnv(defaultPromote: PromotePolicy, env: NodeJS.ProcessEnv = process.env): Required<DeploymentChoice> {
  const promote = env.RECOIL_DEPLOYMENT_PROMOTE || defaultPromote;
  if (!PROMOTE_POLICIES.includes(promote as PromotePolicy)) {
    throw usageError(`RECOIL_DEPLOYMENT_PROMOTE is "${promote}": set it to one of ${PROMOTE_POLICIES.join(', ')}, or leave it unset for ${defaultPromote}`);
  }
  const name = env.RECOIL_DEPLOYMENT || RECOIL_DEPLOYMENT;
  if (/[.:]/.test(name)) throw usageError(`RECOIL_DEPLOYMENT is "${name}": a deployment name may not contain "." or ":"`);
  return { name, promote: promote as PromotePolicy };
}
