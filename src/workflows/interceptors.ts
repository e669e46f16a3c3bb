/** Workflow interceptors bundled with the workflows (src/worker/workflow-bundle.ts names this module). */
import { extractContextFromHeaders, headersWithContext, instrument } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor } from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import {
  ContinueAsNew,
  workflowInfo,
  type ActivityInput,
  type Next,
  type QueryInput,
  type SignalInput,
  type UpdateInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { activitySummary } from '../contract/activity-subject.js';

/**
 * A workflow's run is a span, child of whoever started it (`recoil run`, or the episode for a
 * sequence). Only the run: OpenTelemetry's own interceptor yields once more before the run when a
 * history lacks its flag, as every history recorded before tracing does, and its spans around
 * signal and update handlers move an update's answer after commands that used to follow it. Either
 * makes a recorded history diverge on replay, so handlers run as they always did.
 */
class TracedRun extends OpenTelemetryInboundInterceptor {
  override execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return instrument({
      tracer: this.tracer,
      spanName: `RunWorkflow:${workflowInfo().workflowType}`,
      fn: () => next(input),
      context: extractContextFromHeaders(input.headers),
      acceptableErrors: (err) => err instanceof ContinueAsNew,
    });
  }

  override handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    return next(input);
  }

  override handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    return next(input);
  }

  override validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    next(input);
  }

  override handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    return next(input);
  }
}

/**
 * Passes the run's span on in the headers of every activity, child and signal, synchronously: no
 * span of its own around the call, so commands go out exactly when they did before tracing, and
 * the activity's span hangs directly under the run that asked for it.
 */
class TraceContextOut implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return next({ ...input, headers: headersWithContext(input.headers) });
  }

  startChildWorkflowExecution(input: StartChildWorkflowExecutionInput, next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>): Promise<[Promise<string>, Promise<unknown>]> {
    return next({ ...input, headers: headersWithContext(input.headers) });
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>): Promise<void> {
    return next({ ...input, headers: headersWithContext(input.headers) });
  }
}

/** Every activity carries a one-line summary the Web UI shows in the history: `EP001 SEQ02 take 3: submitTake`. */
class ActivitySummaries implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    if (input.options.summary) return next(input);
    return next({ ...input, options: { ...input.options, summary: activitySummary(input.activityType, input.args[0]) } });
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new TracedRun()],
  outbound: [new TraceContextOut(), new ActivitySummaries()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
