import { frameRateLabel, framesToTimecode } from '../timecode.js';
import { clipName, DELIVERED_AUDIO, SOURCE_START_FRAME, type EditorialCut } from './cut.js';

/** Avid's project format for a picture height; anything else is a custom raster. */
function avidVideoFormat(width: number, height: number): string {
  if (height === 1080 && width <= 1920) return '1080';
  if (height === 720) return '720';
  return 'CUSTOM';
}

/**
 * The delivered sources as an Avid Log Exchange (ALE) file: one row per take with its Tape (the
 * reel the EDL uses), source timecode, picture size and source file name, so Avid can make the bin
 * and relink the files by name and tape. Tabs separate the fields; no field may hold one.
 */
export function aleLog(cut: EditorialCut): string {
  const tc = (frames: number) => framesToTimecode(frames, cut.rate);
  const clean = (text: string) => text.replace(/\s+/g, ' ').trim();
  const columns = ['Name', 'Tape', 'Start', 'End', 'Duration', 'Tracks', 'Image Size', 'FPS', 'Source File', 'Sequence', 'Take'];
  const rows = cut.clips.map((clip) => [
    clipName(clip),
    clip.reel,
    tc(SOURCE_START_FRAME),
    tc(SOURCE_START_FRAME + clip.frames),
    tc(clip.frames),
    'VA1',
    `${cut.width} x ${cut.height}`,
    frameRateLabel(cut.rate),
    clip.mediaPath,
    clip.sequenceId,
    String(clip.take),
  ].map(clean));
  return [
    'Heading',
    'FIELD_DELIM\tTABS',
    `VIDEO_FORMAT\t${avidVideoFormat(cut.width, cut.height)}`,
    `AUDIO_FORMAT\t${DELIVERED_AUDIO.sampleRate / 1000}khz`,
    `FPS\t${frameRateLabel(cut.rate)}`,
    '',
    'Column',
    columns.join('\t'),
    '',
    'Data',
    ...rows.map((row) => row.join('\t')),
    '',
  ].join('\n');
}
