import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { didYouMean } from '../domain/did-you-mean.js';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { looksLikeText, SIGNATURE_BYTES, sniffImageFormat } from './image-format.js';
import type { ImageRef } from './image-refs.js';
import { isInside, resolveInProject } from './project-path.js';

type Problem = Pick<ValidationIssue, 'message' | 'hint'>;

const RE_EXPORT = 're-export it as PNG, JPEG or WebP';

/**
 * Every referenced image must be inside the project folder and be a PNG, JPEG or WebP that decodes.
 * Each distinct path is checked once, and reported at every place that refers to it.
 */
export async function checkImages(projectDir: string, refs: ReadonlyArray<ImageRef>): Promise<ValidationIssue[]> {
  const root = await realpath(projectDir);
  const problems = new Map<string, Promise<Problem | undefined>>();
  const problemOf = (image: string) => {
    if (!problems.has(image)) problems.set(image, imageProblem(root, image));
    return problems.get(image) as Promise<Problem | undefined>;
  };
  const found = await Promise.all(refs.map(async (ref) => ({ ref, problem: await problemOf(ref.image) })));
  return found.flatMap(({ ref, problem }) => (problem ? [{ file: ref.file, path: ref.path, ...problem }] : []));
}

async function imageProblem(root: string, image: string): Promise<Problem | undefined> {
  const location = resolveInProject(root, image);
  if (!location.ok) return { message: location.message, hint: location.hint };
  try {
    return await fileProblem(root, location.absolute, image);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { message: `"${image}" cannot be read (${reason})`, hint: 'check the file permissions' };
  }
}

async function fileProblem(root: string, file: string, image: string): Promise<Problem | undefined> {
  const kind = await entryKind(file);
  if (kind === 'missing') return missing(root, image);
  if (kind === 'folder') return { message: `"${image}" is a folder, not an image`, hint: 'point at the image file itself' };
  if (!isInside(root, await realpath(file))) {
    return { message: `"${image}" is a link to a file outside the project folder`, hint: 'copy the image itself into the project folder' };
  }
  return (await contentProblem(file, image)) ?? (await decodeProblem(file, image));
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
async function missing(root: string, image: string): Promise<Problem> {
  const folder = path.posix.dirname(image);
  const siblings = await readdir(path.join(root, folder)).catch(() => [] as string[]);
  const candidates = siblings.map((name) => path.posix.join(folder, name));
  return {
    message: `image "${image}" not found`,
    hint: `${didYouMean(image, candidates)}put the image there, or fix the path (relative to the project folder)`,
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
