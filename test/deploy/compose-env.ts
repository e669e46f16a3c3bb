import { composeService, serviceEnv, type ComposeFile } from '../compose-file.js';

/**
 * A compose service's environment as its container would see it: `${VAR}` / `${VAR:-default}`
 * interpolated from the given host variables, as `docker compose` does, then the values that name
 * other containers (service host names, container ports) replaced by where that service runs on
 * this machine. A variable that names another container and has no replacement is an error, so a
 * new compose variable cannot silently reach the native stack with a container-only value.
 */
export function nativeServiceEnv(
  compose: ComposeFile,
  serviceName: string,
  hostEnv: Record<string, string>,
  network: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(serviceEnv(composeService(compose, serviceName)))) {
    env[key] = key in network ? network[key]! : interpolate(String(value), hostEnv);
    if (!(key in network) && namesAnotherService(compose, key, env[key]!)) {
      throw new Error(`docker-compose.yml: ${serviceName}.${key}=${value} names another container; the deploy test needs its native value`);
    }
  }
  return env;
}

/** Compose's `${VAR}`, `${VAR:-default}` (default used when VAR is unset or empty), nested defaults included. */
export function interpolate(value: string, hostEnv: Record<string, string>): string {
  let result = '';
  let index = 0;
  while (index < value.length) {
    const start = value.indexOf('${', index);
    if (start === -1) return result + value.slice(index);
    result += value.slice(index, start);
    const end = matchingBrace(value, start + 1);
    const expression = value.slice(start + 2, end);
    const separator = expression.indexOf(':-');
    const name = separator === -1 ? expression : expression.slice(0, separator);
    const fallback = separator === -1 ? '' : interpolate(expression.slice(separator + 2), hostEnv);
    result += hostEnv[name] || fallback;
    index = end + 1;
  }
  return result;
}

function matchingBrace(value: string, open: number): number {
  let depth = 0;
  for (let i = open; i < value.length; i++) {
    if (value[i] === '{') depth++;
    if (value[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unclosed \${ in "${value}"`);
}

// `temporal:7233`, `http://seaweedfs:8333`, or a host-list variable such as POSTGRES_SEEDS=postgres (a user may share a service's name).
function namesAnotherService(compose: ComposeFile, key: string, value: string): boolean {
  const [host, port] = value.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[:/]/);
  if (host === undefined || !(host in compose.services)) return false;
  return /^\d+$/.test(port ?? '') || /(SEEDS|ADDRESS|HOST)$/.test(key);
}
