import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { CriticReport } from '../domain/critic-report.js';

/*
 * Recoil's own measures from activities, on the SDK's meter: they leave through the same Prometheus
 * endpoint as the SDK's runtime telemetry (RECOIL_METRICS_ADDRESS). Outside an activity (a script,
 * a test calling the function directly) there is no meter and nothing is recorded.
 */

function meter(): MetricMeter | undefined {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined;
  }
}

/** How long a provider took with a take, from its submission to the job's end: queue and render together. */
export function recordProviderWait(provider: string, model: string, seconds: number): void {
  meter()?.createHistogram('recoil_provider_wait', 'float', 'seconds', 'Seconds from submitting a take to the provider finishing it').record(seconds, { provider, model });
}

/** Each failing critic of a take, by critic. */
export function countCriticFailures(report: CriticReport): void {
  const failures = meter()?.createCounter('recoil_critic_failures', '1', 'Critic checks a take failed, by critic');
  for (const finding of report.findings) if (!finding.ok) failures?.add(1, { critic: finding.critic });
}
