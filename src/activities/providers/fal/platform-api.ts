import type { BilledJob } from '../../../domain/cut-off-submissions.js';
import type { EndpointPrice } from '../../../domain/price-check.js';

/**
 * fal's Platform API (`https://api.fal.ai/v1`), read with an admin key: its billing events (one
 * record per billed request; only finished jobs appear, and they may appear late) and its prices.
 * Both answers are paged with a cursor.
 */
export interface PlatformApiOptions {
  /** FAL_ADMIN_KEY from the worker's environment. Never logged, never returned, never put in a message. */
  adminKey: string;
  fetchFn: typeof fetch;
}

const PLATFORM_API = 'https://api.fal.ai/v1';
const PAGE_SIZE = 100;
/** A platform call that hangs must not hold up the work behind it. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A runaway cursor must not page for ever. */
const MAX_PAGES = 50;

interface Page {
  next_cursor?: string | null;
  has_more?: boolean;
}

interface BillingEventsPage extends Page {
  billing_events?: {
    request_id: string;
    endpoint_id: string;
    timestamp: string;
    output_units: number;
    cost_estimate_nano_usd?: number;
  }[];
}

interface PricingPage extends Page {
  prices?: { endpoint_id: string; unit_price: number; unit: string; currency: string }[];
}

/** Every billed request since `since` (of one endpoint, or of all), oldest first. */
export async function listBilledJobs(options: PlatformApiOptions, endpoint: string | undefined, since: Date): Promise<BilledJob[]> {
  const query = { start: since.toISOString(), ...(endpoint ? { endpoint_id: endpoint } : {}) };
  const pages = await readPages<BillingEventsPage>(options, 'billing events', '/models/billing-events', query);
  const jobs = pages.flatMap((page) =>
    (page.billing_events ?? []).map((event) => ({
      requestId: event.request_id,
      endpoint: event.endpoint_id,
      billedAt: Date.parse(event.timestamp),
      outputUnits: Number(event.output_units),
      costUsd: (event.cost_estimate_nano_usd ?? 0) / 1e9,
    })),
  );
  return jobs.sort((a, b) => a.billedAt - b.billedAt);
}

/** fal's unit price for each endpoint asked about (the account's own prices, discounts included). */
export async function listPrices(options: PlatformApiOptions, endpoints: readonly string[]): Promise<EndpointPrice[]> {
  const pages = await readPages<PricingPage>(options, 'pricing', '/models/pricing', { endpoint_id: endpoints.join(',') });
  return pages.flatMap((page) =>
    (page.prices ?? []).map((p) => ({ endpoint: p.endpoint_id, unitPrice: Number(p.unit_price), unit: p.unit, currency: p.currency })),
  );
}

async function readPages<T extends Page>(options: PlatformApiOptions, what: string, path: string, query: Record<string, string>): Promise<T[]> {
  const pages: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await fetchPage<T>(options, what, path, { ...query, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) });
    pages.push(page);
    if (!page.has_more || !page.next_cursor) return pages;
    cursor = page.next_cursor;
  }
  throw new Error(`fal's ${what} run past ${MAX_PAGES} pages`);
}

async function fetchPage<T>(options: PlatformApiOptions, what: string, path: string, query: Record<string, string>): Promise<T> {
  const response = await options.fetchFn(`${PLATFORM_API}${path}?${new URLSearchParams(query)}`, {
    headers: { authorization: `Key ${options.adminKey}`, accept: 'application/json' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status === 401 || response.status === 403) {
    throw new Error(`fal refused the admin key (HTTP ${response.status}): check FAL_ADMIN_KEY in the worker environment`);
  }
  if (!response.ok) throw new Error(`fal's ${what} answered HTTP ${response.status}`);
  return (await response.json()) as T;
}
