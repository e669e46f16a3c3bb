import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** docker-compose.yml as data: the compose test checks it, the deploy test runs its services natively. */
export interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  entrypoint?: string[];
  command?: string[];
  user?: string;
  environment?: Record<string, string> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function readCompose(): ComposeFile {
  // Docker Compose reads YAML merge keys (`<<: *worker`); so must we.
  return parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
}

export function composeService(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** The one service running an image of this repository, e.g. temporalio/server. */
export function serviceNameByImage(compose: ComposeFile, repository: string): string {
  const names = Object.keys(compose.services).filter((name) => imageRepository(compose.services[name]!) === repository);
  if (names.length !== 1) throw new Error(`docker-compose.yml has ${names.length} services running ${repository}, expected one`);
  return names[0]!;
}

export function imageRepository(service: ComposeService): string | undefined {
  return service.image?.split(':')[0];
}

export function imageTag(service: ComposeService): string | undefined {
  return service.image?.split(':')[1];
}

export function serviceEnv(service: ComposeService): Record<string, string> {
  const { environment = {} } = service;
  if (!Array.isArray(environment)) return environment;
  return Object.fromEntries(environment.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** The setup script's phase a service runs (`… temporal-setup.sh schema`), if it runs it. */
export function setupPhase(service: ComposeService): string | undefined {
  const entrypoint = service.entrypoint ?? [];
  return entrypoint.some((arg) => arg.endsWith('temporal-setup.sh')) ? entrypoint.at(-1) : undefined;
}
