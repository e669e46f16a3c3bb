/** Workflow interceptors bundled with the workflows (src/worker/workflow-bundle.ts names this module). */
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import type {
  ActivityInput,
  Headers,
  LocalActivityInput,
  Next,
  SignalWorkflowInput,
  StartChildWorkflowExecutionInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { activitySummary } from '../contract/activity-subject.js';

/**
 * Passes on the trace a run was started in (the `recoil run` span, through the episode to its
 * sequences) to every activity, child and signal, as the headers came in: the activities' spans,
 * made on the worker, hang under it and name their workflow, sequence and take. Workflow runs are
 * not spans themselves: OpenTelemetry's SDK inside the workflow sandbox cost the worker about
 * 150 MB at 60 open sequences, and its stock interceptors move commands within a workflow task,
 * which makes histories recorded before tracing fail to replay. This changes no command.
 */
class TraceContextPassedOn implements WorkflowInboundCallsInterceptor, WorkflowOutboundCallsInterceptor {
  private carried?: Headers[string];

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    this.carried = input.headers[TRACE_HEADER];
    return next(input);
  }

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return next({ ...input, headers: this.withTrace(input.headers) });
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return next({ ...input, headers: this.withTrace(input.headers) });
  }

  startChildWorkflowExecution(input: StartChildWorkflowExecutionInput, next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>): Promise<[Promise<string>, Promise<unknown>]> {
    return next({ ...input, headers: this.withTrace(input.headers) });
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>): Promise<void> {
    return next({ ...input, headers: this.withTrace(input.headers) });
  }

  private withTrace(headers: Headers): Headers {
    return this.carried ? { ...headers, [TRACE_HEADER]: this.carried } : headers;
  }
}

/** Every activity carries a one-line summary the Web UI shows in the history: `EP001 SEQ02 take 3: submitTake`. */
class ActivitySummaries implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    if (input.options.summary) return next(input);
    return next({ ...input, options: { ...input.options, summary: activitySummary(input.activityType, input.args[0]) } });
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    if (input.options.summary) return next(input);
    return next({ ...input, options: { ...input.options, summary: activitySummary(input.activityType, input.args[0]) } });
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const trace = new TraceContextPassedOn();
  return { inbound: [trace], outbound: [trace, new ActivitySummaries()] };
};
