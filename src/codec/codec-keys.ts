import { z } from 'zod';
import { usageError } from '../domain/cli-error.js';

/**
 * The keys that encrypt client text in Temporal (RECOIL_CODEC_KEYS): `id:base64` entries, comma
 * separated. The first encrypts; every one decrypts, so after a rotation (a new key put first) the
 * histories written under the old one stay readable. They live only in the environment of the
 * worker, the CLI and the codec server, like the provider keys.
 */
export interface CodecKey {
  id: string;
  key: Buffer;
}

export const CODEC_KEYS_ENV = 'RECOIL_CODEC_KEYS';
const KEY_BYTES = 32;

const entrySchema = z
  .string()
  .trim()
  .regex(/^[\w.-]{1,64}:[A-Za-z0-9+/=_-]+$/, 'each entry is <key-id>:<base64 key>, e.g. k2026:…')
  .transform((entry, ctx) => {
    const [id, encoded] = entry.split(':') as [string, string];
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES) ctx.addIssue({ code: 'custom', message: `key "${id}" is ${key.length} bytes; AES-256 needs ${KEY_BYTES} (make one with: openssl rand -base64 32)` });
    return { id, key };
  });

const keysSchema = z
  .array(entrySchema)
  .min(1)
  .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, { message: 'two keys share an id: give each its own' });

/** The keys from the environment; undefined when encryption is off (the variable unset or blank). */
export function codecKeysFromEnv(env: NodeJS.ProcessEnv = process.env): CodecKey[] | undefined {
  const value = env[CODEC_KEYS_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = keysSchema.safeParse(value.split(','));
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => i.message).join('; ');
    throw usageError(`${CODEC_KEYS_ENV} cannot be used: ${why}. Set it to <key-id>:<base64 of 32 random bytes>[,<older-id>:<older key>…], or unset it to store payloads in clear`);
  }
  return parsed.data;
}
