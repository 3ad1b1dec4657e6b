/**
 * The worker: runs the interpreter workflow and the connector activities on one task queue.
 *
 * `npm run worker` connects to TEMPORAL_ADDRESS (default 127.0.0.1:7233) with the connectors configured
 * from the environment; a connector without credentials runs against its local fake, started beforehand by
 * the CLI (`worker`, cli/commands/run.ts). `npm start` starts a dev server, this worker and the API together.
 */
import './client/node-version'; // first: refuses an unsupported Node.js before other modules load
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, bundleWorkflowCode, type ActivityInterceptorsFactory, type InjectedSinks, type WorkflowBundle } from '@temporalio/worker';
import type { ActivityFunction } from './activities/shared/bind';
import type { ObservabilitySinks } from './workflows/observability';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { dataConverterFor, EMBEDDED_DATA_DIR, FAILURE_CONVERTER_PATH, payloadKeysFromEnv } from './client/payload-codec';
import { connectWorker, temporalSettingsFromEnv } from './client/temporal-connection';
import { workerTuningFromEnv, type WorkerTuning } from './client/worker-settings';
import { onStopSignal } from './client/stop-signals';

/** The task queue the API starts instances on and the workers poll: TEMPORAL_TASK_QUEUE, default `processes`. */
export const TASK_QUEUE = process.env.TEMPORAL_TASK_QUEUE?.trim() || 'processes';
export const WORKFLOWS_PATH = require.resolve('./workflows');
/**
 * Modules every cached workflow shares instead of evaluating its own copy: in the SDK's reused V8 context
 * each workflow otherwise evaluates every bundled module afresh (CPU at each cache miss, memory for each
 * cached instance). Preloading the interpreter shares all it imports: JSONata and its compiled expressions
 * (dsl/expressions.ts), the form validators (workflows/form-validators.ts), decoded definitions
 * (workflows/shared-definitions.ts), holiday sets. No module under workflows/ or dsl/ keeps per-instance state
 * at module level (instance state lives in the interpreter's `Instance`); their caches are keyed by content,
 * and the SDK deep-freezes what they export.
 */
const SHARED_WORKFLOW_MODULES = [WORKFLOWS_PATH];
/** Preloaded unless stack traces are asked for (the bench bundles its variants with it too). */
export const WITHOUT_STACK_TRACES = require.resolve('./workflows/without-stack-traces');

/**
 * Bundles the interpreter once; pass the result to every worker of a process (tests bundle once per file).
 * `stackTraces`: workflow code keeps JavaScript stack traces, for debugging the interpreter itself
 * (workflows/without-stack-traces.ts says what they cost).
 */
export async function bundleWorkflows(options: { observability?: boolean; tracing?: boolean; stackTraces?: boolean } = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: [...(options.stackTraces ? [] : [WITHOUT_STACK_TRACES]), ...SHARED_WORKFLOW_MODULES],
    failureConverterPath: FAILURE_CONVERTER_PATH,
    // The production worker's metrics of how instances end (workflows/observability.ts) and, when traces are
    // on, the SDK's OpenTelemetry workflow interceptors (spans leave through a sink); tests leave them out.
    workflowInterceptorModules: [
      ...(options.observability ? [require.resolve('./workflows/observability')] : []),
      ...(options.tracing ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : []),
    ],
    logger: quietBundlerLogger,
  });
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  activities: Record<string, ActivityFunction>;
  workflowBundle?: WorkflowBundle;
  /** Payload encryption (client/payload-codec.ts); the codec runs outside the workflow sandbox. */
  dataConverter?: DataConverter;
  activityInterceptors?: ActivityInterceptorsFactory[];
  sinks?: InjectedSinks<ObservabilitySinks> & Partial<InjectedSinks<OpenTelemetrySinks>>;
  /** After shutdown starts, how long running activities may take before they are cancelled (ms). */
  shutdownGraceMs?: number;
  /** Cache size, concurrency and pollers (client/worker-settings.ts); the SDK's defaults where unset. */
  tuning?: WorkerTuning;
}

/** How long a workflow task waits for the worker that last ran the instance before any worker may take it. */
export const STICKY_TIMEOUT = '3 seconds';

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: options.activities,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    dataConverter: options.dataConverter,
    // A worker killed mid-instance leaves its next workflow task on its own (sticky) queue; after this long
    // the server hands it to another worker (the SDK's default is 10 s).
    stickyQueueScheduleToStartTimeout: STICKY_TIMEOUT,
    // Set only when given: an option present as `undefined` overrides the SDK's default with nothing.
    ...(options.activityInterceptors && { interceptors: { activity: options.activityInterceptors } }),
    ...(options.sinks && { sinks: options.sinks }),
    ...(options.shutdownGraceMs !== undefined && { shutdownGraceTime: options.shutdownGraceMs }),
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
 * Runs the worker until SIGINT or SIGTERM, with the connectors configured from `env`. Temporal is found
 * through `env` (client/temporal-connection.ts: TEMPORAL_ADDRESS, namespace, TLS, API key); `address`, when
 * given, wins over TEMPORAL_ADDRESS.
 * A system `env` does not configure has no activities; `npm start` and `npm run worker` (cli/commands/run.ts)
 * start local fakes for those first and pass their variables in `env`.
 *
 * Besides polling it logs JSON lines (the SDK's too), serves /healthz, /readyz and the product's /metrics on
 * OPS_WORKER_PORT and the SDK's metrics on OPS_SDK_METRICS_PORT. SIGTERM drains it: polling stops at once,
 * running activities get OPS_SHUTDOWN_GRACE_MS to finish and report, then the promise resolves.
 */
export async function runWorker(address: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Loaded here so that importing TASK_QUEUE or createWorker does not load every connector.
  const { startActivities } = await import('./activities');
  const { loadSettings } = await import('./settings/load');
  const { createLogger, sdkLogger, coreLevel } = await import('./telemetry/logger');
  const { endOnce, workerMetrics } = await import('./telemetry/metrics');
  const { observingActivities } = await import('./telemetry/activities');
  const { checkReadiness, serveHealth } = await import('./telemetry/health');
  const settings = loadSettings(env).values;
  const logger = createLogger(env, { component: 'worker' });
  // Before any connection or HTTP client exists, so that their calls are traced.
  const { startTracing } = await import('./telemetry/tracing');
  const tracing = startTracing(env, 'partner-ops-worker');
  const otel = tracing ? await import('@temporalio/interceptors-opentelemetry') : undefined;
  const host = settings.OPS_WORKER_HOST ?? '127.0.0.1';
  const sdkMetricsPort = installRuntime(logger, sdkLogger, coreLevel(logger.level), settings.OPS_SDK_METRICS_PORT, host);
  await checkPeopleDirectory();
  const tuning = workerTuningFromEnv(env);
  const temporal = temporalSettingsFromEnv(env, address);
  const namespace = temporal.namespace;
  const connection = await connectWorker(temporal);
  const { activities, unconfigured } = startActivities(env);
  for (const system of unconfigured) logger.info({ system }, `${system}: not configured, its actions are not available`);
  const keys = payloadKeysFromEnv(env, { dataDir: EMBEDDED_DATA_DIR });
  if (keys) logger.info({ keyId: keys.keys[0].id, source: keys.source }, `payloads encrypted with key '${keys.keys[0].id}' (keys from ${keys.source})`);
  else logger.warn('payloads NOT encrypted: set PAYLOAD_KEYS (see the README)');
  const metrics = workerMetrics();
  const ended = endOnce(metrics);
  const worker = await createWorker({
    connection,
    namespace,
    activities,
    workflowBundle: await bundleWorkflows({ observability: true, tracing: Boolean(tracing), stackTraces: settings.OPS_WORKFLOW_STACK_TRACES === 'true' }),
    dataConverter: dataConverterFor(keys?.keys),
    activityInterceptors: [
      // The trace's context first, so that the observer's log line and the HTTP calls are inside the activity's span.
      ...(otel ? [(ctx: import('@temporalio/activity').Context) => ({ inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx), outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx) })] : []),
      observingActivities(metrics),
    ],
    sinks: {
      instances: {
        ended: { fn: (info, process, status) => ended(info.runId, process, status) },
        taskOpened: { fn: (_info, process, roles) => roles.forEach((role) => metrics.tasksOpened.inc({ process, role })) },
      },
      ...(otel && tracing ? { exporter: otel.makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } : {}),
    },
    shutdownGraceMs: settings.OPS_SHUTDOWN_GRACE_MS ?? 30_000,
    tuning,
  });
  let draining = false;
  const health = await serveHealth({
    host,
    port: settings.OPS_WORKER_PORT,
    preferred: 4101,
    draining: () => draining,
    registry: metrics.registry,
    readiness: () => checkReadiness(connection, namespace, [{ name: 'worker', ok: worker.getState() === 'RUNNING', detail: `${worker.getState().toLowerCase()} on task queue '${TASK_QUEUE}'` }]),
  });
  const stopHandled = onStopSignal((signal) => {
    draining = true;
    logger.info({ signal }, 'draining: polling stopped, running activities may finish');
    worker.shutdown();
  });
  const sdkMetrics = sdkMetricsPort ? `http://${host}:${sdkMetricsPort}/metrics` : 'off';
  logger.info(
    { address: temporal.address, namespace, security: temporal.security, taskQueue: TASK_QUEUE, health: health.url, sdkMetrics },
    `worker polling task queue '${TASK_QUEUE}' on ${temporal.address} (namespace ${namespace}, ${temporal.security}); health and metrics on ${health.url}, SDK metrics ${sdkMetrics}. Press Ctrl-C to stop.`,
  );
  try {
    await worker.run();
  } finally {
    await health.close();
    await connection.close();
    await tracing?.shutdown();
    stopHandled();
  }
  logger.info('worker stopped');
  logger.flush();
}

let runtimeInstalled = false;
const DEFAULT_SDK_METRICS_PORT = 4102;

/**
 * The SDK's runtime, once per process and before any connection: its logs (core ones forwarded) through
 * pino, its metrics on a Prometheus endpoint. Returns the port they are served on (0: none). The default
 * port taken (a second worker on the machine) leaves the SDK's metrics off, said in a warning; a port
 * given in OPS_SDK_METRICS_PORT that cannot be bound stops the worker.
 */
function installRuntime(
  logger: import('pino').Logger,
  adapt: (logger: import('pino').Logger) => import('@temporalio/common').Logger,
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR',
  givenPort: number | undefined,
  host: string,
): number {
  // Once per process: a second worker in the same process (tests) keeps the runtime the first installed.
  if (runtimeInstalled) return 0;
  runtimeInstalled = true;
  const install = (port: number) =>
    Runtime.install({
      logger: adapt(logger),
      telemetryOptions: {
        logging: { forward: {}, filter: { core: level, other: 'WARN' } },
        metrics: port ? { prometheus: { bindAddress: `${host.includes(':') ? `[${host}]` : host}:${port}` } } : undefined,
      },
    });
  const port = givenPort ?? DEFAULT_SDK_METRICS_PORT;
  try {
    install(port);
    return port;
  } catch (error) {
    if (givenPort !== undefined) throw new Error(`OPS_SDK_METRICS_PORT ${givenPort}: ${(error as Error).message}`);
    logger.warn({ error: (error as Error).message }, `the SDK's metrics are off: port ${port} could not be used (set OPS_SDK_METRICS_PORT)`);
    install(0);
    return 0;
  }
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
  Promise.resolve()
    .then(async () => {
      const { applySettings } = await import('./settings/load');
      applySettings(process.env);
      await runWorker(undefined);
    })
    .catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
