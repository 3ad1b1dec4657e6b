/**
 * The worker: runs the interpreter workflow and the connector activities on one task queue.
 *
 * `npm run worker` connects to TEMPORAL_ADDRESS (default 127.0.0.1:7233) with the connectors configured
 * from the environment; a connector without credentials runs against its local fake, started beforehand by
 * the CLI (`worker`, cli/commands/run.ts). `npm start` starts a dev server, this worker and the API together.
 */
import './client/node-version'; // first: refuses an unsupported Node.js before other modules load
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { ActivityFunction } from './activities/shared/bind';
import { dataConverterFor, EMBEDDED_DATA_DIR, payloadKeysFromEnv } from './client/payload-codec';
import { connectWorker, temporalSettingsFromEnv } from './client/temporal-connection';
import { workerTuningFromEnv, type WorkerTuning } from './client/worker-settings';

/** The task queue the API starts instances on and the workers poll: TEMPORAL_TASK_QUEUE, default `processes`. */
export const TASK_QUEUE = process.env.TEMPORAL_TASK_QUEUE?.trim() || 'processes';
export const WORKFLOWS_PATH = require.resolve('./workflows');
/** Modules every cached workflow shares instead of evaluating its own copy (see workflows/form-validators.ts). */
const SHARED_WORKFLOW_MODULES = [require.resolve('./workflows/form-validators')];

/** Bundles the interpreter once; pass the result to every worker of a process (tests bundle once per file). */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: SHARED_WORKFLOW_MODULES, logger: quietBundlerLogger });
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  activities: Record<string, ActivityFunction>;
  workflowBundle?: WorkflowBundle;
  /** Payload encryption (client/payload-codec.ts); the codec runs outside the workflow sandbox. */
  dataConverter?: DataConverter;
  /** Cache size, concurrency and pollers (client/worker-settings.ts); the SDK's defaults where unset. */
  tuning?: WorkerTuning;
}

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: options.activities,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    dataConverter: options.dataConverter,
    ...options.tuning,
  });
}

/** The bundler reports every module it packs at info level; keep warnings and errors only. */
const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};

/**
 * Runs the worker until SIGINT or SIGTERM, with the connectors configured from `env`, then closes the
 * connection. Temporal is found through `env` (client/temporal-connection.ts: TEMPORAL_ADDRESS, namespace,
 * TLS, API key); `address`, when given, wins over TEMPORAL_ADDRESS. A system `env` does not configure has no activities; `npm start` and
 * `npm run worker` (client/cli.ts) start local fakes for those first and pass their variables in `env`.
 */
export async function runWorker(address: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Loaded here so that importing TASK_QUEUE or createWorker does not load every connector.
  const { startActivities } = await import('./activities');
  await checkPeopleDirectory();
  const tuning = workerTuningFromEnv(env);
  const temporal = temporalSettingsFromEnv(env, address);
  const connection = await connectWorker(temporal);
  const { activities, unconfigured } = startActivities(env);
  for (const system of unconfigured) console.log(`${system}: not configured, its actions are not available`);
  const keys = payloadKeysFromEnv(env, { dataDir: EMBEDDED_DATA_DIR });
  console.log(keys ? `payloads encrypted with key '${keys.keys[0].id}' (keys from ${keys.source})` : 'payloads NOT encrypted: set PAYLOAD_KEYS (see the README)');
  const worker = await createWorker({ connection, namespace: temporal.namespace, activities, dataConverter: dataConverterFor(keys?.keys), tuning });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  console.log(`worker polling task queue '${TASK_QUEUE}' on ${temporal.address} (namespace ${temporal.namespace}, ${temporal.security}). Press Ctrl-C to stop.`);
  await worker.run();
  await connection.close();
}

/** Refuses to start when the directory has mistakes, or when a shipped process has a role nobody holds. */
async function checkPeopleDirectory(): Promise<void> {
  const { loadDirectory, unheldRoles } = await import('./directory/load');
  const { loadRegistry } = await import('./client/definitions');
  const problems = unheldRoles(loadDirectory(), (await loadRegistry()).values());
  if (problems.length) throw new Error(`the people directory does not staff every process:\n${problems.join('\n')}`);
}

// `tsx worker.ts`: the worker alone, with only the systems the environment configures (no local fakes).
if (require.main === module) {
  runWorker(undefined).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
