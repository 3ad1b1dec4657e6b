/**
 * Where the worker and the API find Temporal, and how they prove who they are: read with Temporal's own
 * environment configuration (`@temporalio/envconfig`), so the variables are the ones the Temporal CLI and every
 * SDK read: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH,
 * TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME (and the `*_DATA`
 * forms), TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE for a TOML profile. Without any of them: the embedded dev
 * server at 127.0.0.1:7233, namespace `default`, no TLS.
 */
import { Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** What `tls` and `apiKey` carry, for messages only (never the key or certificate contents). */
  security: string;
  connection: NativeConnectionOptions;
}

/**
 * The settings from `env` (and a TOML profile, where one is configured). `address`, when given, wins over
 * TEMPORAL_ADDRESS: `npm start` passes the dev server it started.
 */
export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, address?: string): TemporalSettings {
  const vars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const loaded = loadClientConnectConfig({ overrideEnvVars: vars });
  const connection: NativeConnectionOptions = { ...loaded.connectionOptions, address: address ?? loaded.connectionOptions.address ?? DEFAULT_ADDRESS };
  const tls = connection.tls;
  const security = [
    tls ? `TLS${typeof tls === 'object' && tls.clientCertPair ? ' with a client certificate' : ''}` : 'no TLS',
    ...(connection.apiKey ? ['an API key'] : []),
  ].join(', ');
  return { address: connection.address!, namespace: loaded.namespace || 'default', security, connection };
}

/** The worker's connection; a failure says what to check instead of the SDK's bare deadline message. */
export async function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(settings.connection);
  } catch (error) {
    throw connectionProblem(settings, error);
  }
}

/** The API's (client) connection, with the same settings as the worker's. */
export async function connectClient(settings: TemporalSettings): Promise<Connection> {
  const { address, tls, apiKey, metadata } = settings.connection;
  try {
    return await Connection.connect({ address, tls, apiKey, metadata });
  } catch (error) {
    throw connectionProblem(settings, error);
  }
}

/**
 * A refused certificate shows in the SDK only as "Failed to connect before the deadline": name the settings
 * that decide whether the server accepts this process.
 */
function connectionProblem(settings: TemporalSettings, error: unknown): Error {
  const cause = error instanceof Error ? error.message : String(error);
  const hint = settings.connection.tls
    ? 'check TEMPORAL_ADDRESS, that TEMPORAL_TLS_SERVER_CA_CERT_PATH holds the CA that signed the server\'s certificate, that TEMPORAL_TLS_SERVER_NAME matches a name in it, and that the server trusts the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH) or the API key'
    : 'check TEMPORAL_ADDRESS and that the server is running; a server that requires TLS also needs TEMPORAL_TLS_* (see "Running in production" in the README)';
  return new Error(`cannot connect to Temporal at ${settings.address} (namespace ${settings.namespace}, ${settings.security}): ${cause}. HINT: ${hint}`, { cause: error });
}
