import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DeliveryRequest, DeliveryResult } from '../../contract/activities.js';
import type { ActivityDeps } from '../deps.js';
import { buildDelivery } from '../delivery/build-delivery.js';
import { DeliveryRefused } from '../delivery/delivery-refused.js';

/**
 * A long episode's burn-in encode runs for minutes; the heartbeat tells the server the worker still
 * lives, three times within its timeout (an episode may set a short one), at most every 5 s.
 */
const HEARTBEAT_MS = 5_000;

function heartbeatEveryMs(context: Context): number {
  const timeoutMs = context.info.heartbeatTimeoutMs;
  return timeoutMs ? Math.min(HEARTBEAT_MS, Math.max(200, Math.floor(timeoutMs / 3))) : HEARTBEAT_MS;
}

/**
 * Delivers the approved takes as the episode's next version: the cut with its editorial hand-off
 * (sources, OTIO, EDL, XMLs, ALE, burn-in, contact sheet, manifest). A refusal that a retry cannot
 * fix fails at once; a folder that cannot be written is retried, so fixing its permissions lets the
 * episode finish.
 */
export function deliverEpisodeActivity(deps: ActivityDeps) {
  return async function deliverEpisode(request: DeliveryRequest): Promise<DeliveryResult> {
    const context = Context.current();
    const beating = setInterval(() => context.heartbeat(), heartbeatEveryMs(context));
    try {
      // A cancelled or timed-out attempt stops its encode: its retry must not share the cores with it.
      const { cutPath, ...rest } = await buildDelivery(deps.store, request, context.cancellationSignal);
      return { path: cutPath, ...rest };
    } catch (err) {
      if (!(err instanceof DeliveryRefused)) throw err;
      throw ApplicationFailure.create({ message: err.message, type: 'DeliveryRefused', nonRetryable: err.refusal !== 'unwritable', details: [err.refusal] });
    } finally {
      clearInterval(beating);
    }
  };
}
