/**
 * What an activity works on, read from its request: the StepRunner's requests name their sequence
 * at the top (SequenceRef, TakeRef) or in `unit` (TakeRequest). Both the Web UI's activity summaries
 * and the activity spans' attributes are drawn from it.
 */
export interface ActivitySubject {
  projectId?: string;
  episode?: string;
  sequenceId?: string;
  take?: number;
  /** The provider's request id, once the request carries one. */
  requestId?: string;
}

export function activitySubjectOf(request: unknown): ActivitySubject {
  const fields = recordOf(request);
  const unit = recordOf(fields.unit);
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : typeof unit[name] === 'string' ? (unit[name] as string) : undefined);
  const subject: ActivitySubject = {};
  for (const name of ['projectId', 'episode', 'sequenceId', 'requestId'] as const) {
    const value = text(name);
    if (value !== undefined) subject[name] = value;
  }
  if (typeof fields.take === 'number') subject.take = fields.take;
  return subject;
}

/**
 * `EP001 SEQ02 take 3: submitTake`; a request that names its work in a `label` (an account slot's
 * ticket) is summarised by it; otherwise the activity's name alone.
 */
export function activitySummary(activityType: string, request: unknown): string {
  const { episode, sequenceId, take } = activitySubjectOf(request);
  const label = recordOf(request).label;
  const where = [episode, sequenceId].filter((part) => part !== undefined).join(' ');
  if (where) return `${where}${take !== undefined ? ` take ${take}` : ''}: ${activityType}`;
  return typeof label === 'string' && label ? `${label}: ${activityType}` : activityType;
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
