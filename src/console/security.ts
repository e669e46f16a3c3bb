import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';

export const TOKEN_COOKIE = 'recoil_console';
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export interface AccessPolicy {
  /** Required from every browser when the console listens beyond this machine. */
  token?: string;
  /** Host header names the console answers to (DNS rebinding defence). */
  allowedHosts: Set<string>;
}

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Loopback binds need no token; any other bind gets one (RECOIL_CONSOLE_TOKEN, else a random one). */
export function accessPolicy(bindHost: string, extraHosts: string[], env: NodeJS.ProcessEnv = process.env): AccessPolicy {
  const allowedHosts = new Set([...LOOPBACK_NAMES, ...extraHosts.map((h) => h.toLowerCase())]);
  if (isLoopback(bindHost)) return { allowedHosts };
  if (!isWildcard(bindHost)) allowedHosts.add(bindHost.toLowerCase());
  allowedHosts.add(hostname().toLowerCase());
  return { allowedHosts, token: env.RECOIL_CONSOLE_TOKEN || randomBytes(24).toString('base64url') };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** "example.org:4500" → "example.org"; "[::1]:4500" → "[::1]". */
export function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return match?.[1];
}

export function headers(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      mediaSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xContentTypeOptions: 'nosniff',
    // A review link's secret is in its path: no page may send it anywhere in a Referer.
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: 'same-origin',
  });
}

/**
 * A client's review link carries its own secret and reaches only its own routes; the page's script
 * and styles are the same for everyone. Neither needs the console's token.
 */
function openWithoutConsoleToken(path: string): boolean {
  return path.startsWith('/review/') || path.startsWith('/static/');
}

/** Host allow-list, then the token cookie (when required), then the origin of every POST. */
export function guard(policy: AccessPolicy): MiddlewareHandler {
  return async (c, next) => {
    const host = hostName(c.req.header('host'));
    if (!host || !policy.allowedHosts.has(host)) return c.text(`refused: unknown host ${host ?? '(none)'}; start the console with --allow-host ${host ?? 'NAME'}`, 403);
    if (policy.token && c.req.path === '/auth') return exchangeToken(c, policy.token);
    if (policy.token && !openWithoutConsoleToken(c.req.path) && !sameSecret(getCookie(c, TOKEN_COOKIE), policy.token)) {
      return c.text('refused: this console needs the token link it printed when it started', 401);
    }
    if (c.req.method === 'POST' && !fromThisPage(c)) return c.text('refused: a change must come from a page of this console', 403);
    await next();
  };
}

/** The printed link carries the token once; the browser keeps it as a cookie scripts cannot read. */
export function exchangeToken(c: Context, token: string): Response {
  if (!sameSecret(c.req.query('token'), token)) return c.text('refused: wrong or missing token', 401);
  setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
  return c.redirect('/', 303);
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Browsers send Origin on every fetch POST; Sec-Fetch-Site says whether a page of ours sent it. */
function fromThisPage(c: Context): boolean {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin === undefined) return site === 'same-origin';
  return origin === new URL(c.req.url).origin;
}
