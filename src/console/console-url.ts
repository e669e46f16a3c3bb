import { episodePath, type EpisodeRef } from './refs.js';

export const DEFAULT_CONSOLE_PORT = 4500;
export const DEFAULT_CONSOLE_URL = `http://127.0.0.1:${DEFAULT_CONSOLE_PORT}`;

/** The Board of one episode, where a reviewer starts. */
export function episodeConsoleUrl(ref: EpisodeRef, base = DEFAULT_CONSOLE_URL): string {
  return `${base}${episodePath(ref)}/board`;
}
