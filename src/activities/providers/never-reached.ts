/**
 * True when a request failed before any server could have read it (refused, or the name did not
 * resolve): nothing was generated or charged. Node's fetch puts the system error code in `cause`.
 */
export function neverReachedServer(err: unknown): boolean {
  const code = err instanceof Error ? (err.cause as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)$/.test(code);
}
