import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { ArtifactStore, ByteRange } from '../store/artifact-store.js';
import { contentTypeOf } from '../store/content-type.js';

/**
 * Serves a stored file as a media element wants it: whole, or the byte range it asks for (206),
 * streamed from the store without a copy on this machine's disk. A range past the end gets 416.
 */
export async function serveStored(c: Context, store: ArtifactStore, path: string): Promise<Response> {
  const found = await store.stat(path);
  if (!found) return c.notFound();
  const headers: Record<string, string> = {
    'content-type': contentTypeOf(path),
    'accept-ranges': 'bytes',
    'last-modified': found.modifiedAt.toUTCString(),
  };
  const asked = c.req.header('range');
  const range = asked === undefined ? undefined : byteRange(asked, found.size);
  if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'content-range': `bytes */${found.size}` });
  if (c.req.method === 'HEAD') return c.body(null, 200, { ...headers, 'content-length': String(found.size) });
  const stored = await store.read(path, range);
  if (!stored) return c.notFound();
  const body = Readable.toWeb(stored.body) as ReadableStream;
  if (!range) return c.body(body, 200, { ...headers, 'content-length': String(stored.size) });
  return c.body(body, 206, {
    ...headers,
    'content-length': String(range.end - range.start + 1),
    'content-range': `bytes ${range.start}-${range.end}/${stored.size}`,
  });
}

/**
 * One range of "bytes=a-b", "bytes=a-" or "bytes=-n"; undefined (the whole file) for anything else,
 * as RFC 9110 lets a server ignore a Range it does not support (several ranges included).
 */
export function byteRange(header: string, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
