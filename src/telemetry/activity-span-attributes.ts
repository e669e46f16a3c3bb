import { trace, type Attributes } from '@opentelemetry/api';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { activitySubjectOf, type ActivitySubject } from '../contract/activity-subject.js';

const ATTRIBUTE_NAMES: Record<keyof ActivitySubject, string> = {
  projectId: 'recoil.project',
  episode: 'recoil.episode',
  sequenceId: 'recoil.sequence',
  take: 'recoil.take',
  requestId: 'recoil.provider_request_id',
};

/**
 * Names on each activity's span what it works on (project, episode, sequence, take) and, once known,
 * the provider's request id: the id fal's dashboard and bill show, so a take is followed from
 * `recoil run` to fal's own record. Runs inside OpenTelemetry's interceptor, whose span is active.
 */
export class ActivitySpanAttributes implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const span = trace.getActiveSpan();
    span?.setAttributes(attributesOf(activitySubjectOf(input.args[0])));
    const result = await next(input);
    const { requestId } = activitySubjectOf(result);
    if (requestId) span?.setAttribute(ATTRIBUTE_NAMES.requestId, requestId);
    return result;
  }
}

function attributesOf(subject: ActivitySubject): Attributes {
  return Object.fromEntries(Object.entries(subject).map(([field, value]) => [ATTRIBUTE_NAMES[field as keyof ActivitySubject], value]));
}
