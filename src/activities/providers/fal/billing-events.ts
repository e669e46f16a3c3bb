import type { BilledJob } from '../../../domain/cut-off-submissions.js';

/**
 * fal's own records of what it billed: the Platform API's billing events
 * (`GET https://api.fal.ai/v1/models/billing-events`), read with an admin key. One record per billed
 * request, paged with a cursor; only finished jobs appear, and they may appear late.
 */
export interface BillingEventsOptions {
  /** FAL_ADMIN_KEY from the worker's environment. Never logged, never returned, never put in a message. */
  adminKey: string;
  fetchFn: typeof fetch;
}

const PLATFORM_API = 'https://api.fal.ai/v1';
const PAGE_SIZE = 100;
/** A platform call that hangs must not hold up the take behind it. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A runaway cursor must not page for ever. */
const MAX_PAGES = 50;

interface BillingEventsPage {
  billing_events?: {
    request_id: string;
    endpoint_id: string;
    timestamp: string;
    output_units: number;
    cost_estimate_nano_usd?: number;
  }[];
  next_cursor?: string | null;
  has_more?: boolean;
}

/** Every billed request of `endpoint` from `since` until now, oldest first. */
export async function listBilledJobs(options: BillingEventsOptions, endpoint: string, since: Date): Promise<BilledJob[]> {
  const jobs: BilledJob[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetchPage(options, endpoint, since, cursor);
    for (const event of answer.billing_events ?? []) {
      jobs.push({
        requestId: event.request_id,
        endpoint: event.endpoint_id,
        billedAt: Date.parse(event.timestamp),
        outputUnits: Number(event.output_units),
        costUsd: (event.cost_estimate_nano_usd ?? 0) / 1e9,
      });
    }
    if (!answer.has_more || !answer.next_cursor) return jobs.sort((a, b) => a.billedAt - b.billedAt);
    cursor = answer.next_cursor;
  }
  throw new Error(`fal's billing events for ${endpoint} run past ${MAX_PAGES} pages`);
}

async function fetchPage(options: BillingEventsOptions, endpoint: string, since: Date, cursor: string | undefined): Promise<BillingEventsPage> {
  const query = new URLSearchParams({ endpoint_id: endpoint, start: since.toISOString(), limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) });
  const response = await options.fetchFn(`${PLATFORM_API}/models/billing-events?${query}`, {
    headers: { authorization: `Key ${options.adminKey}`, accept: 'application/json' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status === 401 || response.status === 403) {
    throw new Error(`fal refused the admin key (HTTP ${response.status}): check FAL_ADMIN_KEY in the worker environment`);
  }
  if (!response.ok) throw new Error(`fal's billing events answered HTTP ${response.status}`);
  return (await response.json()) as BillingEventsPage;
}
