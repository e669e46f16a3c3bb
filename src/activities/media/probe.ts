import { formatFrameRate, parseFrameRate } from '../../domain/timecode.js';
import { ffprobePath } from './binaries.js';
import { runProcess } from './run-process.js';

export interface VideoProbe {
  durationSec: number;
  width: number;
  height: number;
  hasVideo: boolean;
  hasAudio: boolean;
  codec?: string;
  frameCount?: number;
  /** Exact, as ffprobe gives it: "24000/1001" for 23.976 fps. */
  frameRate?: string;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  nb_frames?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  disposition?: { attached_pic?: number };
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string };
}

/** What ffprobe says about a file; throws when ffprobe cannot read it as media at all. */
export async function probeVideo(path: string): Promise<VideoProbe> {
  const output = await runFfprobe(path);
  const video = output.streams?.find(isPictureStream);
  const hasAudio = output.streams?.some((stream) => stream.codec_type === 'audio') ?? false;
  const durationSec = positiveNumber(output.format?.duration) ?? positiveNumber(video?.duration) ?? 0;
  if (!video) return { durationSec, width: 0, height: 0, hasVideo: false, hasAudio };
  const frameCount = positiveNumber(video.nb_frames);
  const frameRate = [video.avg_frame_rate, video.r_frame_rate].find((rate) => parseFrameRate(rate) !== undefined);
  return {
    durationSec,
    width: video.width ?? 0,
    height: video.height ?? 0,
    hasVideo: true,
    hasAudio,
    ...(video.codec_name ? { codec: video.codec_name } : {}),
    ...(frameCount !== undefined ? { frameCount } : {}),
    ...(frameRate ? { frameRate: formatFrameRate(parseFrameRate(frameRate)!) } : {}),
  };
}

async function runFfprobe(path: string): Promise<FfprobeOutput> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path];
  try {
    const { stdout } = await runProcess(ffprobePath(), args);
    return JSON.parse(stdout) as FfprobeOutput;
  } catch (err) {
    throw new Error(`Not a decodable media file: ${path}\n${(err as Error).message}`, { cause: err });
  }
}

/** Cover art in an MP4/M4A is a "video" stream too, but not the picture we mean. */
function isPictureStream(stream: FfprobeStream): boolean {
  return stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1;
}

function positiveNumber(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}
