import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { startTracing, type Tracing } from './tracing.js';

/** A CLI command's trace: its own span is the root, and what it starts in Temporal carries the context on. */
export interface ClientTracing {
  interceptors: ClientInterceptors;
  /** Runs `work` inside a span named `name`; the span's trace id is handed to `work` to print. */
  inSpan<T>(name: string, attributes: Attributes, work: (traceId: string) => Promise<T>): Promise<T>;
  /** Sends the spans before the process exits. */
  shutdown(): Promise<void>;
}

export function startClientTracing(env: NodeJS.ProcessEnv = process.env): ClientTracing {
  const tracing: Tracing = startTracing('recoil-cli', env);
  return {
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] },
    inSpan: (name, attributes, work) =>
      tracing.tracer.startActiveSpan(name, { attributes }, async (span) => {
        try {
          return await work(span.spanContext().traceId);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          throw err;
        } finally {
          span.end();
        }
      }),
    shutdown: () => tracing.shutdown(),
  };
}
