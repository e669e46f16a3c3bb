import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { TASK_QUEUE } from '../domain/ids.js';

const DEFAULT_ADDRESS = '127.0.0.1:7233';
const DEFAULT_NAMESPACE = 'default';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** RECOIL_TASK_QUEUE, else the pipeline's queue; separate queues keep test runs or teams apart. */
  taskQueue: string;
  /** Address, TLS and API key as read from TEMPORAL_* variables or the Temporal CLI's profile file (temporal.toml). */
  connectionOptions: NativeConnectionOptions & { address: string };
}

/** Where clients and workers connect: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / …, else the local dev server. */
export function temporalTarget(): TemporalTarget {
  const config = loadClientConnectConfig();
  const address = config.connectionOptions.address ?? DEFAULT_ADDRESS;
  return {
    address,
    namespace: config.namespace ?? DEFAULT_NAMESPACE,
    taskQueue: process.env.RECOIL_TASK_QUEUE ?? TASK_QUEUE,
    connectionOptions: { ...config.connectionOptions, address },
  };
}
