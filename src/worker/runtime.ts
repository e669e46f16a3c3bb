import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { usageError } from '../domain/cli-error.js';

/**
 * Sets how chatty the Temporal SDK is in this process and, with a metrics address, serves Prometheus
 * metrics there: the SDK's runtime telemetry and Recoil's own (`recoil_*`). Must run before any
 * worker or connection.
 */
export function installRuntime(level: LogLevel, metricsAddress?: string): void {
  Runtime.install({
    logger: new DefaultLogger(level),
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: prometheusOptions(metricsAddress) } } } : {}),
  });
}

/** Buckets sized to what Recoil measures: provider jobs and slot waits run for minutes, a take costs cents to dollars, a decision takes a person's time. */
const RECOIL_BUCKETS = {
  recoil_provider_wait: [5, 15, 30, 60, 120, 300, 600, 1200, 2400],
  recoil_account_slot_wait: [1, 5, 15, 60, 300, 900, 1800, 3600],
  recoil_take_cost: [0, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  // People decide in minutes to days.
  recoil_decision_latency: [60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600],
};

function prometheusOptions(bindAddress: string) {
  return { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true, histogramBucketOverrides: RECOIL_BUCKETS };
}

/** RECOIL_METRICS_ADDRESS, `host:port` for the worker's /metrics; unset serves none. */
export function metricsAddressFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const address = env.RECOIL_METRICS_ADDRESS?.trim();
  if (!address) return undefined;
  const match = /^(.+):(\d{1,5})$/.exec(address);
  const port = Number(match?.[2]);
  if (!match || !(port >= 1 && port <= 65_535)) {
    throw usageError(`RECOIL_METRICS_ADDRESS is "${address}": give host:port for the worker's /metrics, e.g. 0.0.0.0:9464, or leave it unset to serve none`);
  }
  return address;
}
