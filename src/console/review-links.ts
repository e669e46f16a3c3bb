import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJson, type ArtifactStore } from '../store/artifact-store.js';

/**
 * Client review links: a producer hands a client a link to one episode (or a hand-picked list of
 * its takes) that expires and can be revoked. The link's secret is shown once; only its sha256 is
 * kept, as the name of the link's own file, so creating or revoking one never rewrites another and
 * a leaked folder listing gives no one a way in. The folder starts with a dot: media are never
 * served from it.
 */
export const LINKS_FOLDER = '.review-links';

const takeRefSchema = z.object({ sequenceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), take: z.number().int().min(1) });

export const reviewLinkSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  episode: z.string(),
  /** The takes the guest may see; every finished take of the episode when absent. */
  takes: z.array(takeRefSchema).optional(),
  /** Who the link is for: their notes and verdicts carry this name. */
  guest: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().optional(),
  revokedBy: z.string().optional(),
});

export type ReviewLink = z.infer<typeof reviewLinkSchema>;
export type LinkedTake = z.infer<typeof takeRefSchema>;

export interface NewLink {
  projectId: string;
  episode: string;
  guest: string;
  createdBy: string;
  days: number;
  takes?: LinkedTake[];
}

const ID_LENGTH = 10;
export const MAX_LINK_DAYS = 90;

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function linkPath(store: ArtifactStore, hash: string): string {
  return join(store.root, LINKS_FOLDER, `${hash}.json`);
}

/** Makes a link; the token it returns is the only copy of the secret. */
export async function createLink(store: ArtifactStore, request: NewLink, now = new Date()): Promise<{ link: ReviewLink; token: string }> {
  const token = randomBytes(24).toString('base64url');
  const hash = digest(token);
  const link: ReviewLink = {
    id: hash.slice(0, ID_LENGTH),
    projectId: request.projectId,
    episode: request.episode,
    ...(request.takes?.length ? { takes: request.takes } : {}),
    guest: request.guest,
    createdBy: request.createdBy,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + request.days * 86_400_000).toISOString(),
  };
  await writeJson(store, linkPath(store, hash), link);
  return { link, token };
}

/** Every link ever made (revoked and expired ones included), newest first, optionally of one episode. */
export async function listLinks(store: ArtifactStore, of?: { projectId: string; episode?: string }): Promise<(ReviewLink & { hash: string })[]> {
  const names = await store.list(join(store.root, LINKS_FOLDER));
  const links = await Promise.all(names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).map(async (name) => readLinkFile(store, name.slice(0, 64))));
  return links
    .flatMap((link) => (link ? [link] : []))
    .filter((link) => !of || (link.projectId === of.projectId && (of.episode === undefined || link.episode === of.episode)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

async function readLinkFile(store: ArtifactStore, hash: string): Promise<(ReviewLink & { hash: string }) | undefined> {
  try {
    const parsed = reviewLinkSchema.safeParse(await readJson(store, linkPath(store, hash)));
    return parsed.success ? { ...parsed.data, hash } : undefined;
  } catch {
    return undefined;
  }
}

/** Revokes the link with this id (or an unambiguous start of it), of one episode when `of` says so; says which, or why not. */
export async function revokeLink(store: ArtifactStore, id: string, by: string, of?: { projectId: string; episode: string }, now = new Date()): Promise<{ link: ReviewLink } | { refused: string }> {
  const matches = (await listLinks(store, of)).filter((l) => id.length >= 4 && l.id.startsWith(id.toLowerCase()));
  if (matches.length !== 1) return { refused: matches.length === 0 ? `no review link ${id}${of ? ` for ${of.projectId} ${of.episode}` : ''}: \`npx recoil links list\` shows them` : `${id} matches ${matches.length} links: give more of the id` };
  const { hash, ...link } = matches[0]!;
  if (link.revokedAt) return { link };
  const revoked = { ...link, revokedAt: now.toISOString(), revokedBy: by };
  await writeJson(store, linkPath(store, hash), revoked);
  return { link: revoked };
}

/** The link a guest's token opens, or why it opens nothing (unknown, revoked, expired). */
export async function openLink(store: ArtifactStore, token: string, now = new Date()): Promise<{ link: ReviewLink } | { refused: string }> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return { refused: 'this review link is not valid' };
  const link = await readLinkFile(store, digest(token));
  if (!link) return { refused: 'this review link is not valid' };
  if (link.revokedAt) return { refused: 'this review link was withdrawn; ask the production for a new one' };
  if (link.expiresAt <= now.toISOString()) return { refused: 'this review link has expired; ask the production for a new one' };
  const { hash: _hash, ...open } = link;
  return { link: open };
}

export function linkAllows(link: ReviewLink, sequenceId: string, take: number): boolean {
  return !link.takes || link.takes.some((t) => t.sequenceId === sequenceId && t.take === take);
}

export function linkState(link: ReviewLink, now = new Date()): 'active' | 'revoked' | 'expired' {
  if (link.revokedAt) return 'revoked';
  return link.expiresAt <= now.toISOString() ? 'expired' : 'active';
}

/** "SEQ01:2,SEQ03:1" → the takes; a usage error names the part it cannot read. */
export function parseTakeList(text: string): LinkedTake[] | { refused: string } {
  const takes: LinkedTake[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]{1,64}):(\d+)$/.exec(part);
    if (!match || Number(match[2]) < 1) return { refused: `"${part}" is not a take: write SEQUENCE:TAKE, e.g. SEQ01:2` };
    takes.push({ sequenceId: match[1]!, take: Number(match[2]) });
  }
  return takes;
}
