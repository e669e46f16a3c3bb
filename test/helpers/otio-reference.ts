import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../../src/activities/media/run-process.js';
import { pathExists } from '../../src/activities/path-exists.js';

/** The reference judges, pinned: what an editor's OTIO tooling would read our files with, and a PDF reader. */
const PACKAGES = ['opentimelineio==0.18.1', 'otio-cmx3600-adapter==1.0.0', 'pypdf==5.1.0'];
const VENV = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'recoil', 'otio-reference', PACKAGES.join('+'));
const READER = fileURLToPath(new URL('../reference/read_delivery.py', import.meta.url));
const PORTABLE = fileURLToPath(new URL('../reference/portable_delivery.py', import.meta.url));

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
  duration_sec: number;
  duration_frames: number;
  clips: ReferenceClip[];
}

export interface ReferenceReading {
  otio_version: string;
  otio: ReferenceTimeline;
  edl: ReferenceTimeline;
  /** The first page's size and images; `page_images` counts each page's images. */
  pdf: { pages: number; page_images: number[]; xref_exact: boolean; page_width: number; page_height: number; images: { width: number; height: number; filter: string; jpeg: boolean }[] };
}

/**
 * A Python venv with the reference packages from PyPI, made once and kept in the user's cache.
 * Built in a scratch folder and renamed into place, so a half-made venv is never used (the first
 * build downloads from PyPI: minutes on a busy machine, so tests using it allow ten). Missing
 * Python or pip is an error with the reason: the test must fail, not skip.
 */
export async function referencePython(): Promise<string> {
  const python = join(VENV, 'bin', 'python');
  if (await pathExists(python)) return python;
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
      if (!(await pathExists(python))) throw err; // another run finished first: use its venv
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
  bundled_files: string[];
  ours: { clips: string[]; urls: string[]; files: string[] };
}

/** A delivery folder read where it was copied to; OTIO's bundler writes `bundledPath` from its timeline. */
export async function readCopiedDelivery(folder: string, episode: string, fps: number, bundledPath: string): Promise<PortableReading> {
  const python = await referencePython();
  const { stdout } = await runProcess(python, [PORTABLE, folder, `${episode}.otio`, `${episode}.edl`, String(fps), `${episode}.otioz`, bundledPath]);
  return JSON.parse(stdout) as PortableReading;
}
