import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { cors } from 'hono/cors';
import { accessPolicy, exchangeToken, hostName, sameSecret, TOKEN_COOKIE, type AccessPolicy } from '../console/security.js';
import { CodecKeyError } from './aes-gcm-codec.js';

/**
 * Temporal's remote codec protocol, so the Web UI shows decoded payloads to whoever can reach this
 * server: `POST /decode` and `POST /encode` take `{ payloads: [{ metadata: { key: base64 }, data:
 * base64 }] }` and answer the same shape. Cross-origin calls are allowed from the Web UI's origin
 * only. On loopback it needs nothing more; bound beyond this machine it needs its printed token,
 * like the console: as an `Authorization: Bearer` header, or as the cookie its `/auth?token=…` link
 * sets once (cookies ignore ports, so a Web UI on the same host that includes credentials sends it).
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins of the Web UI that may call it, e.g. http://127.0.0.1:8233. */
  uiOrigins: string[];
  host?: string;
  port?: number;
  allowHosts?: string[];
}

export interface RunningCodecServer {
  url: string;
  port: number;
  token?: string;
  close(): Promise<void>;
}

/** Payloads are small JSON; a runaway body is refused before it is read. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const host = options.host ?? '127.0.0.1';
  const policy = accessPolicy(host, options.allowHosts ?? []);
  const app = new Hono();
  app.use(cors({ origin: options.uiOrigins, allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'], credentials: true, maxAge: 600 }));
  app.use(admit(policy, options.uiOrigins), bodyLimit({ maxSize: MAX_BODY_BYTES }));
  app.get('/', (c) => c.text('Recoil codec endpoint: POST /decode, POST /encode'));
  for (const direction of ['decode', 'encode'] as const) {
    app.post(`/${direction}`, async (c) => {
      const body = (await c.req.json().catch(() => undefined)) as { payloads?: unknown } | undefined;
      if (!body || !Array.isArray(body.payloads)) return c.json({ message: 'expected {"payloads": [...]}' }, 400);
      try {
        const payloads = (body.payloads as JsonPayload[]).map(fromJson);
        const done = direction === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
        return c.json({ payloads: done.map(toJson) });
      } catch (err) {
        if (err instanceof CodecKeyError) return c.json({ message: err.message }, 422);
        throw err;
      }
    });
  }
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8089 }, () => resolve(s as Server)) as Server;
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    ...(policy.token ? { token: policy.token } : {}),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Host allow-list of the console; the token when bound beyond loopback; callers from another origin than the Web UI are refused. */
function admit(policy: AccessPolicy, uiOrigins: string[]): MiddlewareHandler {
  return async (c, next) => {
    const host = hostName(c.req.header('host'));
    if (!host || !policy.allowedHosts.has(host)) return c.text(`refused: unknown host ${host ?? '(none)'}; start the codec server with --allow-host ${host ?? 'NAME'}`, 403);
    if (policy.token && c.req.path === '/auth') return exchangeToken(c, policy.token);
    const origin = c.req.header('origin');
    if (origin !== undefined && !uiOrigins.includes(origin)) return c.text(`refused: ${origin} is not the Web UI's origin; start the codec server with --ui-origin ${origin}`, 403);
    if (c.req.method === 'OPTIONS') return next();
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (policy.token && !sameSecret(bearer, policy.token) && !sameSecret(getCookie(c, TOKEN_COOKIE), policy.token)) {
      return c.text('refused: this codec server needs the token it printed when it started (Authorization: Bearer <token>)', 401);
    }
    await next();
  };
}

function fromJson(p: JsonPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]));
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}
