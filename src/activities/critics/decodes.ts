import type { CriticFinding } from '../../domain/critic-report.js';
import { ffmpegPath } from '../media/binaries.js';
import { probeVideo, type VideoProbe } from '../media/probe.js';
import { runProcess } from '../media/run-process.js';

const DECODES = 'decodes';

export interface DecodedVideo {
  probe: VideoProbe;
  /** ffmpeg's log of the full decode, where the picture detectors wrote what they saw. */
  log: string;
}

export interface DecodeCheck {
  finding: CriticFinding;
  /** Present only when the file decoded cleanly, so nothing can judge a half-read file. */
  decoded?: DecodedVideo;
}

const ERRORS_IN_MESSAGE = 3;

/**
 * ffprobe must find a picture stream, then ffmpeg must decode the whole file without one error.
 * The detectors ride along in that decode's filter chain: decoding is the dear part, so one pass
 * answers every question about the pictures.
 */
export async function checkDecodes(path: string, filters: readonly string[], signal?: AbortSignal): Promise<DecodeCheck> {
  let probe: VideoProbe;
  try {
    probe = await probeVideo(path);
  } catch (err) {
    return { finding: fail(`not a video: ffprobe cannot read it (${reasons(causeText(err))})`) };
  }
  if (!probe.hasVideo) return { finding: fail('not a video: ffprobe finds no picture stream in it') };
  const { log, errors } = await decodeFully(path, filters, signal);
  if (errors.length > 0) {
    return {
      finding: fail(`does not decode cleanly: ffmpeg reports ${errors.length} error(s): ${errors.slice(0, ERRORS_IN_MESSAGE).join('; ')}`, {
        decodeErrors: errors.length,
      }),
    };
  }
  const codec = probe.codec ?? 'unknown codec';
  return { finding: { critic: DECODES, ok: true, message: `decodes cleanly (${codec})`, measured: { codec } }, decoded: { probe, log } };
}

async function decodeFully(path: string, filters: readonly string[], signal?: AbortSignal): Promise<{ log: string; errors: string[] }> {
  const args = [
    '-nostdin', '-hide_banner', '-nostats',
    // Tagging each line with its level tells decoder errors apart from the detectors' info lines.
    '-loglevel', 'level+info',
    '-i', path,
    // V, not v: cover art is a "video" stream too, and not the picture we judge.
    '-map', '0:V:0', '-map', '0:a?',
    '-vf', filters.join(','),
    '-f', 'null', '-',
  ];
  try {
    const { stderr } = await runProcess(ffmpegPath(), args, signal ? { signal } : {});
    return { log: stderr, errors: errorLines(stderr) };
  } catch (err) {
    if (signal?.aborted || couldNotStart(err)) throw err;
    const message = (err as Error).message;
    const errors = errorLines(message);
    return { log: '', errors: errors.length > 0 ? errors : [message] };
  }
}

function errorLines(log: string): string[] {
  const errors: string[] = [];
  for (const line of log.split(/\r?\n/)) {
    const match = /\[(?:error|fatal|panic)\] (.*)$/.exec(line);
    if (match) errors.push(match[1]!.trim());
  }
  return errors;
}

/** A missing or unrunnable ffmpeg is this machine's problem, not the take's: fail the activity instead. */
function couldNotStart(err: unknown): boolean {
  const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
  return typeof cause?.code === 'string';
}

/** probeVideo wraps runProcess's error, whose text ends with ffprobe's own lines. */
function causeText(err: unknown): string {
  const { cause, message } = err as Error;
  return cause instanceof Error ? cause.message : message;
}

/** ffprobe's complaints without the exit-code header and the "[mov,mp4 @ 0x…]" prefixes. */
function reasons(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, '').trim())
    .filter(Boolean);
  return [...new Set(lines)].slice(0, ERRORS_IN_MESSAGE).join('; ') || text.trim();
}

function fail(message: string, measured?: CriticFinding['measured']): CriticFinding {
  return { critic: DECODES, ok: false, message, ...(measured ? { measured } : {}) };
}
