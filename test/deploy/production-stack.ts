import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTemporalCli } from '../../src/temporal/cli-binary.js';
import { freePort } from '../../src/temporal/dev-server.js';
import { TEMPORAL_VERSIONS } from '../../src/temporal/versions.js';
import { readCompose, REPO_ROOT, serviceNameByImage, setupPhase, type ComposeFile } from '../compose-file.js';
import { freeLowPorts } from '../helpers/free-ports.js';
import { ensureSeaweedFs, startS3Server, type S3Server } from '../helpers/s3-server.js';
import { nativeServiceEnv } from './compose-env.js';
import { ensurePostgres, startPostgres, type Postgres } from './postgres.js';
import { spawnGroup, stopAllGroups, type GroupProcess } from './process-group.js';
import { ensureTemporalServerBinaries, startTemporalServer, type TemporalServerBinaries } from './temporal-server.js';

const run = promisify(execFile);

/** What the test reads from the stack once it runs. */
export interface ProductionStack {
  workDir: string;
  address: string;
  namespace: string;
  projectsDir: string;
  /** The artifacts bucket (compose's seaweedfs service), where every worker and the CLI keep takes and deliveries. */
  s3: S3Server;
  /** s3://bucket/prefix, as the workers are configured. */
  artifactsUrl: string;
  server: GroupProcess;
  workers: GroupProcess[];
  /** The environment a user's shell has when running the CLI against this stack. */
  cliEnv: Record<string, string>;
  /** One more worker process of a compose worker service (`worker`, or `worker-rollout` for a new build), with a cache of its own. */
  startWorker(service: string, name: string, extraEnv?: Record<string, string>): Promise<GroupProcess>;
  /** Where a worker serves its Prometheus metrics (compose's RECOIL_METRICS_ADDRESS, on a port of its own here). */
  metricsUrlOf(name: string): string | undefined;
  temporalCli: string;
  postgres: Postgres;
  stop(): Promise<void>;
}

export interface Tools {
  server: TemporalServerBinaries;
  temporalCli: string;
  postgresBin: string;
}

type Report = (line: string) => void;

/** Everything the stack needs that a fresh machine lacks, built or installed once and cached. */
export async function ensureTools(report: Report): Promise<Tools> {
  const [server, temporalCli, postgresBin] = await Promise.all([
    ensureTemporalServerBinaries(TEMPORAL_VERSIONS.server, report),
    ensureTemporalCli({ onProgress: report }),
    ensurePostgres(report),
    ensureSeaweedFs(report),
  ]);
  return { server, temporalCli, postgresBin };
}

export interface StartStackOptions {
  tools: Tools;
  workerCount: number;
  /** Extra documented variables for the workers (e.g. the offline provider's simulated latency). */
  workerExtraEnv?: Record<string, string>;
  report: Report;
}

/**
 * docker-compose.yml's services, natively: Postgres, the schema setup, the Temporal server, the
 * namespace setup and N workers, each with its compose service's environment (host names and
 * container ports swapped for free loopback ports), the setup steps by the script compose mounts.
 */
export async function startProductionStack(opts: StartStackOptions): Promise<ProductionStack> {
  const compose = readCompose();
  const { tools, report } = opts;
  const workDir = await mkdtemp(join(tmpdir(), 'recoil-deploy-'));
  const logs = join(workDir, 'logs');
  const projectsDir = join(workDir, 'projects');
  await mkdir(logs);
  await cp(join(REPO_ROOT, 'examples', 'driver-beware'), join(projectsDir, 'driver-beware'), { recursive: true });
  // The variables a studio would export before `docker compose up` (passwords never left at their default).
  const hostEnv = {
    TEMPORAL_DB_PASSWORD: randomBytes(12).toString('hex'),
    RECOIL_S3_ACCESS_KEY_ID: `recoil${randomBytes(4).toString('hex')}`,
    RECOIL_S3_SECRET_KEY: randomBytes(18).toString('base64url'),
    PWD: workDir,
  };
  // Run newest first on stop, after every process group has stopped (e.g. Postgres' data folder).
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    await stopAllGroups();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const s3Env = nativeServiceEnv(compose, serviceNameByImage(compose, 'chrislusf/seaweedfs'), hostEnv, {});
    const s3 = await startS3Server({
      dataDir: join(workDir, 'seaweedfs'),
      bucket: s3Env.RECOIL_S3_BUCKET!,
      accessKeyId: s3Env.RECOIL_S3_ACCESS_KEY_ID!,
      secretAccessKey: s3Env.RECOIL_S3_SECRET_KEY!,
      logFile: join(logs, 'seaweedfs.log'),
      report,
    });
    cleanups.push(s3.stop);
    const s3Network = { RECOIL_S3_ENDPOINT: s3.endpoint };

    const postgresName = serviceNameByImage(compose, 'postgres');
    const postgresEnv = nativeServiceEnv(compose, postgresName, hostEnv, {});
    const postgres = await startPostgres({
      bin: tools.postgresBin,
      port: await freePort(),
      user: postgresEnv.POSTGRES_USER!,
      password: postgresEnv.POSTGRES_PASSWORD!,
      logFile: join(logs, 'postgres.log'),
    });
    cleanups.push(postgres.stop);
    report(`postgres listening on 127.0.0.1:${postgres.port}`);
    const databaseNetwork = { POSTGRES_SEEDS: postgres.host, DB_PORT: String(postgres.port) };
    const toolsPath = [tools.server.dir, dirname(tools.temporalCli), process.env.PATH ?? ''].join(delimiter);

    // Twice: a second `docker compose up` runs the setup again on the existing database.
    const schemaService = serviceRunningPhase(compose, 'schema');
    for (const round of [1, 2]) {
      await runSetup('schema', nativeServiceEnv(compose, schemaService, hostEnv, databaseNetwork), toolsPath, join(logs, `setup-schema-${round}.log`));
    }
    report('schema set up (and set up again, idempotently)');

    const ports = await serverPorts();
    const serverEnv = {
      ...nativeServiceEnv(compose, serviceNameByImage(compose, 'temporalio/server'), hostEnv, {
        ...databaseNetwork,
        BIND_ON_IP: '127.0.0.1',
        // The file compose mounts into the server's container, read where it lies.
        DYNAMIC_CONFIG_FILE_PATH: join(REPO_ROOT, 'deploy', 'temporal-server', 'dynamic-config.yaml'),
      }),
      ...ports,
    };
    const server = await startTemporalServer({ binaries: tools.server, env: serverEnv, logFile: join(logs, 'temporal-server.log') });
    report(`temporal server ${TEMPORAL_VERSIONS.server} serving on ${server.address}`);

    const namespaceService = serviceRunningPhase(compose, 'namespace');
    const namespaceEnv = nativeServiceEnv(compose, namespaceService, hostEnv, { TEMPORAL_ADDRESS: server.address });
    for (const round of [1, 2]) await runSetup('namespace', namespaceEnv, toolsPath, join(logs, `setup-namespace-${round}.log`));
    report(`namespace ${namespaceEnv.TEMPORAL_NAMESPACE} and search attributes set up (twice)`);

    // The image bundles the workflows (`RUN npm run build`) before its worker starts; so does this stack.
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeout: 300_000 });
    report('workflow bundle built (npm run build)');

    const metricsUrls = new Map<string, string>();
    const startWorker = async (service: string, name: string, extraEnv: Record<string, string> = {}) => {
      // Each container has an address of its own; here every worker shares the host, so each gets a port.
      const metricsAddress = `127.0.0.1:${await freePort()}`;
      metricsUrls.set(name, `http://${metricsAddress}/metrics`);
      return spawnGroup({
        name,
        // As the image's CMD runs it: through bin/recoil.mjs's #! line and the V8 settings there.
        command: join(REPO_ROOT, 'bin', 'recoil.mjs'),
        args: ['worker'],
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? workDir,
          ...nativeServiceEnv(compose, service, hostEnv, { TEMPORAL_ADDRESS: server.address, ...s3Network }),
          ...opts.workerExtraEnv,
          RECOIL_METRICS_ADDRESS: metricsAddress,
          // A container's cache is its own; here every worker shares the host, so each gets a folder.
          RECOIL_ARTIFACTS_DIR: join(workDir, `cache-${name}`),
          ...extraEnv,
        },
        logFile: join(logs, `${name}.log`),
      });
    };
    const workers: GroupProcess[] = [];
    for (let index = 1; index <= opts.workerCount; index++) workers.push(await startWorker('worker', `worker-${index}`));
    const workerEnv = nativeServiceEnv(compose, 'worker', hostEnv, { TEMPORAL_ADDRESS: server.address, ...s3Network });
    const namespace = workerEnv.TEMPORAL_NAMESPACE!;
    return {
      workDir,
      address: server.address,
      namespace,
      projectsDir,
      s3,
      artifactsUrl: workerEnv.RECOIL_ARTIFACTS_URL!,
      server: server.process,
      workers,
      cliEnv: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? workDir,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: namespace,
        // The user's shell points at the same bucket as the workers (compose publishes it on localhost).
        ...Object.fromEntries(['RECOIL_ARTIFACTS_URL', 'RECOIL_S3_ENDPOINT', 'RECOIL_S3_PATH_STYLE', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((key) => [key, workerEnv[key]!])),
        RECOIL_ARTIFACTS_DIR: join(workDir, 'cache-cli'),
      },
      startWorker,
      metricsUrlOf: (name) => metricsUrls.get(name),
      temporalCli: tools.temporalCli,
      postgres,
      stop,
    };
  } catch (error) {
    report(`starting the stack failed; logs were in ${logs}`);
    await stop();
    throw error;
  }
}

function serviceRunningPhase(compose: ComposeFile, phase: string): string {
  const name = Object.keys(compose.services).find((service) => setupPhase(compose.services[service]!) === phase);
  if (!name) throw new Error(`docker-compose.yml has no service running temporal-setup.sh ${phase}`);
  return name;
}

async function runSetup(phase: string, env: Record<string, string>, path: string, logFile: string): Promise<void> {
  try {
    const { stdout, stderr } = await run('sh', [join(REPO_ROOT, 'deploy', 'temporal-setup.sh'), phase], {
      env: { PATH: path, HOME: process.env.HOME ?? '/', ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 300_000,
    });
    await writeFile(logFile, stdout + stderr);
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`deploy/temporal-setup.sh ${phase} failed:\n${`${stdout}${stderr}`.trim().split('\n').slice(-30).join('\n')}`, { cause: error });
  }
}

// Every port the server's services listen on, as the variables the server image (and our config) read.
async function serverPorts(): Promise<Record<string, string>> {
  const names = [
    'FRONTEND_GRPC_PORT', 'FRONTEND_HTTP_PORT', 'FRONTEND_MEMBERSHIP_PORT',
    'HISTORY_GRPC_PORT', 'HISTORY_MEMBERSHIP_PORT',
    'MATCHING_GRPC_PORT', 'MATCHING_MEMBERSHIP_PORT',
    'WORKER_GRPC_PORT', 'WORKER_MEMBERSHIP_PORT',
  ];
  const free = await freeLowPorts(names.length);
  return Object.fromEntries(names.map((name, index) => [name, String(free[index])]));
}
