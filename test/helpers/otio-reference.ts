import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../../src/activities/media/run-process.js';

const exists = (path: string) => access(path).then(() => true, () => false);

/** The reference judges, pinned: what an editor's OTIO tooling would read our files with (OTIO and its EDL, FCP7, FCPX and ALE adapters), and a PDF reader. */
const PACKAGES = [
  'opentimelineio==0.18.1',
  'otio-cmx3600-adapter==1.0.0',
  'otio-fcp-adapter==1.0.0',
  'otio-fcpx-xml-adapter==1.0.0',
  'otio-ale-adapter==1.1.0',
  'pypdf==5.1.0',
];
const VENV = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'recoil', 'otio-reference', PACKAGES.join('+'));
const READER = fileURLToPath(new URL('../reference/read_delivery.py', import.meta.url));
const PORTABLE = fileURLToPath(new URL('../reference/portable_delivery.py', import.meta.url));
const NLE_READER = fileURLToPath(new URL('../reference/read_nle.py', import.meta.url));

export interface ReferenceClip {
  name: string;
  reel: string | null;
  start: number;
  duration: number;
  rate: number;
  target_url: string | null;
  markers: { name: string; start: number; duration: number; color: string; comment: string }[];
  recoil: Record<string, unknown> | null;
}

export interface ReferenceTimeline {
  name: string;
  video_tracks: number;
  audio_tracks: string[];
  duration_sec: number;
  duration_frames: number;
  /** The first video track's clips. */
  clips: ReferenceClip[];
  /** The first audio track's clips. */
  audio_clips: ReferenceClip[];
}

export interface ReferenceReading {
  otio_version: string;
  otio: ReferenceTimeline;
  edl: ReferenceTimeline;
  /** The first page's size and images; `page_images` counts each page's images. */
  pdf: {
    pages: number;
    page_images: number[];
    xref_exact: boolean;
    page_width: number;
    page_height: number;
    images: { width: number; height: number; filter: string; jpeg: boolean }[];
    /** Each page's text layer as pypdf extracts it. */
    text: string[];
    info: Record<string, string>;
  };
}

/**
 * A Python venv with the reference packages from PyPI, made once and kept in the user's cache.
 * Built in a scratch folder and renamed into place, so a half-made venv is never used (the first
 * build downloads from PyPI: minutes on a busy machine, so tests using it allow ten). Missing
 * Python or pip is an error with the reason: the test must fail, not skip.
 */
export async function referencePython(): Promise<string> {
  const python = join(VENV, 'bin', 'python');
  if (await exists(python)) return python;
  await mkdir(join(VENV, '..'), { recursive: true });
  const scratch = await mkdtemp(`${VENV}.partial-`);
  try {
    await runProcess('python3', ['-m', 'venv', scratch]).catch((err: Error) => {
      throw new Error(`the OTIO reference check needs Python 3 with venv and pip (Debian: apt-get install -y python3 python3-venv): ${err.message}`);
    });
    await runProcess(join(scratch, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...PACKAGES]).catch((err: Error) => {
      throw new Error(`pip could not install ${PACKAGES.join(' ')} from PyPI: ${err.message}`);
    });
    await rename(scratch, VENV).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await exists(python))) throw err; // another run finished first: use its venv
    });
    return python;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Reads a delivery's OTIO and EDL files with the reference library, and its contact sheet PDF. */
export async function readWithReference(files: { otio: string; edl: string; pdf: string }, fps: number): Promise<ReferenceReading> {
  const python = await referencePython();
  const { stdout } = await runProcess(python, [READER, files.otio, files.edl, String(fps), files.pdf]);
  return JSON.parse(stdout) as ReferenceReading;
}

export interface PortableReading {
  otio: { url: string; exists: boolean }[];
  edl: { url: string; exists: boolean }[];
  /** The A1 clips' media, from the OTIO and from the EDL. */
  audio: { otio: { url: string; exists: boolean }[]; edl: { url: string; exists: boolean }[] };
  bundled_files: string[];
  ours: { clips: string[]; urls: string[]; files: string[] };
}

/** A delivery folder read where it was copied to; OTIO's bundler writes `bundledPath` from its timeline. */
export async function readCopiedDelivery(folder: string, episode: string, fps: number, bundledPath: string): Promise<PortableReading> {
  const python = await referencePython();
  const { stdout } = await runProcess(python, [PORTABLE, folder, `${episode}.otio`, `${episode}.edl`, String(fps), `${episode}.otioz`, bundledPath]);
  return JSON.parse(stdout) as PortableReading;
}

export interface NleClip {
  name: string;
  record_start: number | null;
  source_start: number;
  duration: number;
  url: string;
  exists: boolean;
  markers: string[];
}

export interface NleReading {
  fcp7: { start: number; format: [number, number]; clips: NleClip[]; audio_clips: string[]; sizes: [number, number][]; reels: string[] };
  fcpx: { tc_start: number; spine: [string, number, number, number][]; format: [number, number]; clips: NleClip[]; reels: string[]; audio: [string, string, string][] };
  ale: { header: Record<string, string>; clips: NleClip[]; tapes: string[]; image_sizes: string[] };
}

/** A delivery's FCP7 XML, FCPX XML and ALE read with OTIO's published adapters (and ElementTree for what they drop). */
export async function readNleFiles(folder: string, episode: string): Promise<NleReading> {
  const python = await referencePython();
  const { stdout } = await runProcess(python, [NLE_READER, folder, episode]);
  return JSON.parse(stdout) as NleReading;
}
