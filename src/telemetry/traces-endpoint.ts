/**
 * Where traces go, from OpenTelemetry's own variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given,
 * or OTEL_EXPORTER_OTLP_ENDPOINT with the OTLP/HTTP traces path; undefined when neither is set.
 */
export function tracesEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}
