/**
 * Serves the API on a port (OPS_API_PORT, default 4100; OPS_API_HOST, default 127.0.0.1) against a
 * Temporal server, with the definitions, the people directory, the API keys and, when configured, OpenID
 * Connect. `npm start` runs it beside the worker; `npm run api` runs it alone.
 */
import '../client/node-version'; // first: refuses an unsupported Node.js before other modules load
import { Client } from '@temporalio/client';
import path from 'node:path';
import { connectClient, temporalSettingsFromEnv } from '../client/temporal-connection';
import { uploadsDirFrom } from '../client/uploads';
import { DEFINITIONS_DIR, loadRegistry } from '../client/definitions';
import { PROJECT_ROOT } from '../client/temporal-servers';
import { dataConverterFor, EMBEDDED_DATA_DIR, payloadKeysFromEnv } from '../client/payload-codec';
import { onStopSignal } from '../client/stop-signals';
import { loadDirectory } from '../directory/load';
import { applySettings } from '../settings/load';
import { createLogger } from '../telemetry/logger';
import { startTracing } from '../telemetry/tracing';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { buildApi } from './app';
import { codecOriginsFromEnv, codecRolesFromEnv } from './routes/codec';
import { ApiKeyStore } from './identity/api-keys';
import { OidcVerifier, oidcSettingsFromEnv } from './identity/oidc';
import { webhookSettingsFromEnv } from './webhooks';
import { undeployedRoutes, undeployedWarning } from './webhooks/routes-file';

export interface RunningApi {
  url: string;
  /** What the operator should know at start-up, e.g. webhook routes whose process is not deployed. */
  warnings: string[];
  close(): Promise<void>;
}

/** Temporal is found through `env` (client/temporal-connection.ts); `temporalAddress`, when given, wins over TEMPORAL_ADDRESS. */
export async function startApi(temporalAddress: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<RunningApi> {
  // Before the connection and the server exist, so that requests and calls are traced (when it is on).
  const tracing = startTracing(env, 'partner-ops-api');
  const temporal = temporalSettingsFromEnv(env, temporalAddress);
  const connection = await connectClient(temporal);
  // The same keys as the worker: the API reads and writes instance payloads, and serves the codec endpoint.
  const keys = payloadKeysFromEnv(env, { dataDir: EMBEDDED_DATA_DIR });
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    dataConverter: dataConverterFor(keys?.keys),
    // With traces on, starts, updates and signals carry the request's trace into the workflow.
    interceptors: tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined,
  });
  const oidcSettings = oidcSettingsFromEnv(env);
  const registry = await loadRegistry();
  const webhooks = webhookSettingsFromEnv(env);
  const warning = undeployedWarning(undeployedRoutes(webhooks.routes, registry));
  const app = await buildApi({
    client,
    registry,
    definitionsDir: DEFINITIONS_DIR,
    directory: loadDirectory(),
    keys: new ApiKeyStore(env.OPS_API_KEYS_FILE || undefined),
    oidc: oidcSettings ? new OidcVerifier(oidcSettings) : undefined,
    uploadsDir: uploadsDirFrom(env),
    maxUploadBytes: Number(env.OPS_MAX_UPLOAD_BYTES ?? 10 * 1024 * 1024),
    writesPerMinute: Number(env.OPS_API_RATE_LIMIT ?? 120),
    webhooks,
    codec: { keys: keys?.keys, uiOrigins: codecOriginsFromEnv(env), roles: codecRolesFromEnv(env) },
    loggerInstance: createLogger(env, { component: 'api', http: true }),
  });
  const host = env.OPS_API_HOST ?? '127.0.0.1';
  const port = Number(env.OPS_API_PORT ?? 4100);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    await connection.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${port} is already in use: stop what uses it, or set OPS_API_PORT`);
    throw error;
  }
  // Port 0 asks for any free port: report the one given.
  const address = app.server.address();
  const listening = typeof address === 'object' && address ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${listening}`,
    warnings: warning ? [warning] : [],
    // Once, however many signals and callers ask: in-flight requests finish, then the connection closes.
    close() {
      closing ??= app.close().then(() => connection.close()).then(() => tracing?.shutdown());
      return closing;
    },
  };
}

if (require.main === module) {
  Promise.resolve().then(() => {
    // Every setting checked (SETTINGS_FILE read in) before anything starts.
    applySettings(process.env);
    return startApi(undefined);
  }).then(
    (api) => {
      const temporal = temporalSettingsFromEnv();
      console.log(`ops API on ${api.url} (OpenAPI document at ${api.url}/openapi.json), Temporal at ${temporal.address} (namespace ${temporal.namespace}, ${temporal.security})`);
      for (const warning of api.warnings) console.warn(`warning: ${warning}`);
      // Draining: Fastify stops accepting, answers 503 to new requests on open connections, finishes the ones in flight.
      onStopSignal(() => void api.close().then(() => process.exit(0), () => process.exit(1)));
    },
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
