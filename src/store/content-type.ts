import { getMimeType } from 'hono/utils/mime';

/** The Content-Type a stored file is served with: its extension's, else plain bytes. */
export function contentTypeOf(path: string): string {
  return getMimeType(path) ?? 'application/octet-stream';
}
