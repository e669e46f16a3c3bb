import { RECOIL_DEPLOYMENT } from '../contract/deployment.js';
import { usageError } from '../domain/cli-error.js';
import { PROMOTE_POLICIES, type PromotePolicy } from '../temporal/worker-deployment.js';
import type { DeploymentChoice } from './run-worker.js';

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
