import path from 'node:path';

/** Where a relative path written in a project file leads, or why it may not be followed. */
export type ProjectPath = { ok: true; absolute: string } | { ok: false; message: string; hint: string };

const COPY_IN = 'copy the image into the project folder (e.g. refs/) and write its path relative to the folder, like "refs/maya_front.png"';

/**
 * Projects are handed over as a folder, so every image must live inside it: an absolute path or a
 * `../` escape works on one machine and breaks on the next (and could read files the project doesn't own).
 */
export function resolveInProject(projectDir: string, written: string): ProjectPath {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(written)) {
    return { ok: false, message: `"${written}" is a URL; images must be files inside the project folder`, hint: COPY_IN };
  }
  if (path.isAbsolute(written) || path.win32.isAbsolute(written)) {
    return { ok: false, message: `"${written}" is an absolute path`, hint: COPY_IN };
  }
  if (written.includes('\\')) {
    return { ok: false, message: `"${written}" uses backslashes`, hint: `write it with forward slashes: "${written.replaceAll('\\', '/')}"` };
  }
  const absolute = path.resolve(projectDir, written);
  if (!isInside(projectDir, absolute)) {
    return { ok: false, message: `"${written}" points outside the project folder`, hint: COPY_IN };
  }
  return { ok: true, absolute };
}

export function isInside(dir: string, target: string): boolean {
  const relative = path.relative(dir, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
