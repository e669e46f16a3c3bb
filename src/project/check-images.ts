import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { didYouMean } from '../domain/did-you-mean.js';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { looksLikeText, SIGNATURE_BYTES, sniffImageFormat, sniffVideoFormat } from './image-format.js';
import type { ImageRef } from './image-refs.js';
import { isInside, resolveInProject } from './project-path.js';

type Problem = Pick<ValidationIssue, 'message' | 'hint'>;

const RE_EXPORT = 're-export it as PNG, JPEG or WebP';
const RE_EXPORT_VIDEO = 're-export it as MP4 or MOV (H.264)';

type MediaKind = 'image' | 'video';

/**
 * Every referenced image must be inside the project folder and be a PNG, JPEG or WebP that decodes;
 * every reference video an MP4 or MOV. Each distinct path is checked once, and reported at every
 * place that refers to it.
 */
export async function checkImages(projectDir: string, refs: ReadonlyArray<ImageRef>, kind: MediaKind = 'image'): Promise<ValidationIssue[]> {
  const root = await realpath(projectDir);
  const problems = new Map<string, Promise<Problem | undefined>>();
  const problemOf = (image: string) => {
    if (!problems.has(image)) problems.set(image, mediaProblem(root, image, kind));
    return problems.get(image) as Promise<Problem | undefined>;
  };
  const found = await Promise.all(refs.map(async (ref) => ({ ref, problem: await problemOf(ref.image) })));
  return found.flatMap(({ ref, problem }) => (problem ? [{ file: ref.file, path: ref.path, ...problem }] : []));
}

async function mediaProblem(root: string, image: string, kind: MediaKind): Promise<Problem | undefined> {
  const location = resolveInProject(root, image);
  if (!location.ok) return { message: location.message, hint: location.hint };
  try {
    return await fileProblem(root, location.absolute, image, kind);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { message: `"${image}" cannot be read (${reason})`, hint: 'check the file permissions' };
  }
}

async function fileProblem(root: string, file: string, image: string, kind: MediaKind): Promise<Problem | undefined> {
  const entry = await entryKind(file);
  if (entry === 'missing') return missing(root, image, kind);
  if (entry === 'folder') return { message: `"${image}" is a folder, not ${kind === 'image' ? 'an image' : 'a video'}`, hint: `point at the ${kind} file itself` };
  if (!isInside(root, await realpath(file))) {
    return { message: `"${image}" is a link to a file outside the project folder`, hint: `copy the ${kind} itself into the project folder` };
  }
  if (kind === 'video') return videoContentProblem(file, image);
  return (await contentProblem(file, image)) ?? (await decodeProblem(file, image));
}

async function videoContentProblem(file: string, video: string): Promise<Problem | undefined> {
  const head = await readHead(file);
  if (sniffVideoFormat(head)) return undefined;
  if (head.length === 0) return { message: `"${video}" is empty`, hint: RE_EXPORT_VIDEO };
  return { message: `"${video}" is not an MP4 or MOV video (fal takes only these for a reference video)`, hint: RE_EXPORT_VIDEO };
}

async function entryKind(file: string): Promise<'file' | 'folder' | 'missing'> {
  try {
    return (await stat(file)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw error;
  }
}

/** A near-miss in the same folder is the usual cause: a typo, or .jpg written for .png. */
async function missing(root: string, image: string, kind: MediaKind): Promise<Problem> {
  const folder = path.posix.dirname(image);
  const siblings = await readdir(path.join(root, folder)).catch(() => [] as string[]);
  const candidates = siblings.map((name) => path.posix.join(folder, name));
  return {
    message: `${kind} "${image}" not found`,
    hint: `${didYouMean(image, candidates)}put the ${kind} there, or fix the path (relative to the project folder)`,
  };
}

async function contentProblem(file: string, image: string): Promise<Problem | undefined> {
  const head = await readHead(file);
  if (sniffImageFormat(head)) return undefined;
  if (head.length === 0) return { message: `"${image}" is empty`, hint: RE_EXPORT };
  const what = looksLikeText(head) ? `it is text: "${Buffer.from(head).toString('latin1').replace(/\s+/g, ' ').trim()}…"` : 'unknown file type';
  return { message: `"${image}" is not a PNG, JPEG or WebP image (${what})`, hint: RE_EXPORT };
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SIGNATURE_BYTES), 0, SIGNATURE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A right signature on a truncated or corrupt file still fails here. */
async function decodeProblem(file: string, image: string): Promise<Problem | undefined> {
  try {
    const { width, height } = await sharp(file).metadata();
    if (width > 0 && height > 0) return undefined;
    return { message: `"${image}" has no size (width ${width}, height ${height})`, hint: RE_EXPORT };
  } catch (error) {
    return { message: `"${image}" cannot be read as an image: ${(error as Error).message}`, hint: `the file may be damaged; ${RE_EXPORT}` };
  }
}
