import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Address, TLS and API key as read from TEMPORAL_* variables or the profile file (temporal.md §5). */
  connectionOptions: NativeConnectionOptions;
}

/** Where clients and workers connect: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / …, else the local dev server. */
export function temporalTarget(): TemporalTarget {
  const config = loadClientConnectConfig();
  const address = config.connectionOptions.address ?? DEFAULT_ADDRESS;
  return {
    address,
    namespace: config.namespace ?? DEFAULT_NAMESPACE,
    connectionOptions: { ...config.connectionOptions, address },
  };
}
