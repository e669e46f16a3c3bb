import type { Pricing } from '../domain/price-table.js';
import { dataConverterFromEnv } from '../codec/data-converter.js';
import { temporalTarget } from '../temporal/connection-config.js';
import { storeFromEnv } from '../store/store-from-env.js';
import { providersFromEnv } from './providers-from-env.js';
import { deploymentFromEnv } from './deployment-from-env.js';
import type { RunWorkerOptions } from './run-worker.js';

/** A Temporal server this process already found or started (`recoil dev`, `recoil demo`). */
export interface KnownServer {
  address: string;
  namespace: string;
  taskQueue: string;
}

/**
 * A worker configured from this process's environment, as `recoil worker`, `dev` and `demo` run it:
 * Temporal from TEMPORAL_* (or the server given), artifacts where RECOIL_ARTIFACTS_URL or _DIR say, and the providers
 * whose keys are set.
 */
export function workerFromEnv(pricing: Pricing, server?: KnownServer): RunWorkerOptions {
  const target = temporalTarget();
  const store = storeFromEnv();
  return {
    connection: server ? { address: server.address } : target.connectionOptions,
    namespace: server?.namespace ?? target.namespace,
    taskQueue: server?.taskQueue ?? target.taskQueue,
    store,
    ...providersFromEnv(store.root, pricing),
    ...dataConverterFromEnv(),
    // A worker beside a server of its own (`recoil dev`, the demo) is the only build there: it is current.
    deployment: deploymentFromEnv(server ? 'always' : 'if-none'),
  };
}
