import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RECOIL_VERSION } from '../install/package-root.js';
import { tracesEndpointFromEnv } from './traces-endpoint.js';

/**
 * One process's traces (the worker's activity spans, the CLI's own), exported over OTLP/HTTP when an
 * endpoint is set and dropped otherwise, so a worker runs the same code either way.
 */
export interface Tracing {
  tracer: Tracer;
  /** Where spans go, or undefined when they are dropped. */
  endpoint?: string;
  /** Sends what is still buffered; a process calls it before it exits. */
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/**
 * An activity's span is the active one while it runs, so what it learns (fal's request id) lands on
 * it; and a span travels in Temporal's headers as W3C trace context, from the CLI to the workflows
 * and from the workflows to their activities and children.
 */
function enableActiveSpans(): void {
  if (contextManager) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** `service` names the process in the trace viewer: recoil-worker, recoil-cli. */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const endpoint = tracesEndpointFromEnv(env);
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || service, 'service.version': RECOIL_VERSION });
  const spanProcessor = endpoint ? new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }), { scheduledDelayMillis: 1_000 }) : new NoopSpanProcessor();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  enableActiveSpans();
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: provider.getTracer('recoil', RECOIL_VERSION),
    ...(endpoint ? { endpoint } : {}),
    shutdown: () => provider.shutdown(),
  };
}
