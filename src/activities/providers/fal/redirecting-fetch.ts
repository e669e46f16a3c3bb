/**
 * A fetch that sends every request to `baseUrl` instead, keeping the original host as the first
 * path segment: `https://queue.fal.run/fal-ai/x` → `<baseUrl>/queue.fal.run/fal-ai/x`
 * (a gateway, or the offline fake in tests). The SDK's string `proxyUrl` does nothing in Node, and the storage PUT and
 * CDN downloads bypass any proxy, so redirecting fetch itself is the one way to reach every call.
 */
export function redirectingFetch(baseUrl: string): typeof fetch {
  const base = baseUrl.replace(/\/+$/, '');
  return (input, init) => {
    const original = new URL(input instanceof Request ? input.url : input);
    const target = `${base}/${original.host}${original.pathname}${original.search}`;
    return fetch(input instanceof Request ? new Request(target, input) : target, init);
  };
}
