import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import pc from 'picocolors';
import { AesGcmCodec } from '../../codec/aes-gcm-codec.js';
import { CODEC_KEYS_ENV, codecKeysFromEnv } from '../../codec/codec-keys.js';
import { startCodecServer } from '../../codec/codec-server.js';
import { temporalTarget } from '../../temporal/connection-config.js';
import { runtimeError, usageError } from '../../domain/cli-error.js';
import { uiBaseUrl } from '../../review/ui-url.js';
import { untilInterrupted } from '../until-interrupted.js';

interface CodecServerFlags {
  port: string;
  host: string;
  uiOrigin?: string;
  allowHost?: string;
}

export function registerCodecServer(program: Command): void {
  program
    .command('codec-server')
    .description(COMMAND_SUMMARIES['codec-server'])
    .option('--port <n>', 'port to listen on', '8089')
    .option('--host <address>', 'address to bind; anything but loopback needs the printed token', '127.0.0.1')
    .option('--ui-origin <origins>', "comma-separated origins of the Web UI allowed to call it (default: the UI of TEMPORAL_ADDRESS's server, or RECOIL_UI_URL)")
    .option('--allow-host <names>', 'comma-separated extra host names the Web UI may use to reach it')
    .action(async (flags: CodecServerFlags) => {
      const keys = codecKeysFromEnv();
      if (!keys) throw usageError(`${CODEC_KEYS_ENV} is not set: the codec server decodes with the worker's keys; set the same value here`);
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port ${flags.port}: use a port number from 0 to 65535`);
      const uiOrigins = listOf(flags.uiOrigin) ?? [new URL(uiBaseUrl(temporalTarget().address)).origin];
      const running = await startCodecServer({ codec: new AesGcmCodec(keys), uiOrigins, host: flags.host, port, allowHosts: listOf(flags.allowHost) ?? [] }).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EADDRINUSE' ? runtimeError(`port ${port} is in use on ${flags.host}: pass --port with a free one`) : err;
      });
      console.log(`${pc.green('✓')} codec endpoint: ${running.url} (for the Web UI at ${uiOrigins.join(', ')}; keys ${keys.map((k) => k.id).join(', ')})`);
      console.log(`  point the Web UI at it: its Codec Server setting, or TEMPORAL_CODEC_ENDPOINT=${running.url} for the UI server`);
      if (running.token) {
        console.log(pc.yellow(`  it needs its token: open ${running.url}/auth?token=${running.token} once in the browser that runs the Web UI`));
        console.log(pc.yellow('  (the UI must include credentials: TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true), or send Authorization: Bearer <token>'));
      }
      await untilInterrupted();
      await running.close();
    });
}

function listOf(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : undefined;
}
