import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec.js';
import { codecKeysFromEnv } from './codec-keys.js';

/**
 * What the worker and every client share when RECOIL_CODEC_KEYS is set: every payload (workflow
 * and activity inputs and results, signal, update and query arguments, memos, failure details) is
 * encrypted before it reaches the Temporal server. Search attributes are not: they hold ids and
 * states only. Failure messages are not either: ours never quote client text. Empty (payloads in
 * clear) when no key is set.
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): { dataConverter?: DataConverter } {
  const keys = codecKeysFromEnv(env);
  return keys ? { dataConverter: { payloadCodecs: [new AesGcmCodec(keys)] } } : {};
}
