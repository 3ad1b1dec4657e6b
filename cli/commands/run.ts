/**
 * `run` (what `npm start` calls): the embedded default. A dev server with its SQLite file in .data/ (or the
 * server at TEMPORAL_ADDRESS), the local fakes of the systems without credentials, the worker, and the API.
 * `worker`: the fakes and the worker only, against TEMPORAL_ADDRESS. Ctrl-C stops the worker, then the
 * API, the fakes and the dev server.
 */
import { startDevServer, type RunningDevServer } from '../../client/dev-server';
import { EMBEDDED_DATA_DIR, payloadKeysFromEnv } from '../../client/payload-codec';
import { startFakes } from '../../fakes';
import { applySettings, SettingsError } from '../../settings/load';
import { runWorker } from '../../worker';
import { PlainError, type Command } from '../command';

/** Every setting checked (and SETTINGS_FILE read into the environment) before anything starts. */
function checkSettings(): void {
  try {
    for (const warning of applySettings(process.env).warnings) console.warn(`warning: ${warning}`);
  } catch (error) {
    if (error instanceof SettingsError) throw new PlainError(error.message);
    throw error;
  }
}

async function runEverything(options: { devServer: boolean; api: boolean }): Promise<number> {
  checkSettings();
  let server: RunningDevServer | undefined;
  let address = process.env.TEMPORAL_ADDRESS;
  if (options.devServer) {
    // The embedded default encrypts payloads from its first start: without PAYLOAD_KEYS, a key is generated
    // once into .data/ (mode 0600); the worker and the API read it from there.
    const keys = payloadKeysFromEnv(process.env, { dataDir: EMBEDDED_DATA_DIR, generate: true });
    if (keys?.generated) console.log(`payload key generated into ${keys.source} (mode 0600): instance history is encrypted with it; keep it with .data/`);
  }
  if (!address && options.devServer) {
    const apiPort = Number(process.env.OPS_API_PORT ?? 4100);
    // The web UI decodes payloads through the API's codec endpoint (signed in; see the README).
    server = await startDevServer({ codecEndpoint: options.api ? `http://${process.env.OPS_API_HOST ?? '127.0.0.1'}:${apiPort}/codec` : undefined });
    address = server.address;
    console.log(`Temporal dev server on ${address} (data and log in .data/); web UI at ${server.uiUrl}`);
  }
  // Otherwise the worker and the API read TEMPORAL_ADDRESS and the rest (client/temporal-connection.ts).
  // Systems without credentials run against their local fakes (fakes/), started here, never by the worker.
  const sandbox = await startFakes(process.env);
  for (const fake of sandbox.fakes) console.log(`${fake.system}: no credentials configured, using the local fake at ${fake.url}`);
  let api: { url: string; warnings: string[]; close(): Promise<void> } | undefined;
  try {
    if (options.api) {
      const { startApi } = await import('../../api/server');
      // The sandbox's environment carries the fakes' webhook secrets, so their webhooks verify too.
      api = await startApi(address, sandbox.env);
      console.log(`ops API on ${api.url} (OpenAPI document at ${api.url}/openapi.json; sign in with a key from \`npm run cli -- keys issue <person>\`)`);
      console.log(`web inbox on ${api.url}/inbox (sign in there with the same key)`);
      for (const warning of api.warnings) console.warn(`warning: ${warning}`);
      // The API drains beside the worker: it stops taking requests and finishes the ones in flight.
      const draining = api;
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void draining.close());
    }
    await runWorker(address, sandbox.env);
  } finally {
    await api?.close();
    await sandbox.close();
    await server?.stop();
  }
  console.log('stopped');
  return 0;
}

export const run: Command = {
  name: 'run',
  summary: 'run the product: dev server (unless TEMPORAL_ADDRESS is set), local fakes, worker and the API',
  usage: 'run',
  help: 'The API listens on OPS_API_PORT (default 4100). Ctrl-C stops everything.',
  run: () => runEverything({ devServer: true, api: true }),
};

export const worker: Command = {
  name: 'worker',
  summary: 'the worker and the local fakes only, against TEMPORAL_ADDRESS (default 127.0.0.1:7233)',
  usage: 'worker',
  run: () => runEverything({ devServer: false, api: false }),
};
