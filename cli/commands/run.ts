/**
 * `run` (what `npm start` calls): the embedded default. A dev server with its SQLite file in .data/ (or the
 * server at TEMPORAL_ADDRESS), the local fakes of the systems without credentials, the worker, and the API.
 * `worker`: the fakes and the worker only, against TEMPORAL_ADDRESS. Ctrl-C stops the worker, then the
 * API, the fakes and the dev server.
 *
 * A run killed with kill -9 leaves its pid file (`.data/npm-start.pid`) and, in its own process group, the
 * dev server: the next run finds the first dead and stops the second (client/dev-server.ts). A run that is
 * still alive is never stopped: the next one refuses to start beside it.
 */
import path from 'node:path';
import { DATA_DIR } from '../../client/data-dir';
import { startDevServer, type RunningDevServer } from '../../client/dev-server';
import { EMBEDDED_DATA_DIR, payloadKeysFromEnv } from '../../client/payload-codec';
import { livingProcess, removePidFile, writePidFile } from '../../client/pid-file';
import { onStopSignal } from '../../client/stop-signals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { controlUrlOf, DEFAULT_FAKES_PORT, startFakes } from '../../fakes';
import { connectFakes } from '../../fakes/connect';
import { describeDemo, loadDemoData } from '../../fakes/demo';
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

/** Marks this command's own command line in its pid file. */
const RUN_MARKER = 'cli/index.ts';

/** A port from the environment: unset gives the default, `0` any free port. */
function portFrom(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number (0 for any free port), not '${value}'`);
  return port;
}

async function runEverything(options: { devServer: boolean; api: boolean }): Promise<number> {
  checkSettings();
  // Workers may run side by side on one task queue; only the embedded default owns the data folder.
  if (!options.devServer) return runAll(options);
  const pidFile = path.join(DATA_DIR, 'npm-start.pid');
  const running = livingProcess(pidFile);
  if (running) {
    console.error(`already running as pid ${running.pid} (since ${running.startedAt}): stop it first (Ctrl-C in its terminal, or kill ${running.pid})`);
    return 1;
  }
  writePidFile(pidFile, process.pid, RUN_MARKER);
  try {
    return await runAll(options);
  } finally {
    removePidFile(pidFile, process.pid);
  }
}

async function runAll(options: { devServer: boolean; api: boolean }): Promise<number> {
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
    // The web UI decodes payloads through the API's codec endpoint (signed in with a codec role; see the README).
    server = await startDevServer({
      port: portFrom('TEMPORAL_DEV_SERVER_PORT', 7233),
      uiPort: portFrom('TEMPORAL_UI_PORT', 8233),
      codecEndpoint: options.api ? `http://${process.env.OPS_API_HOST ?? '127.0.0.1'}:${apiPort}/codec` : undefined,
    });
    if (server.stoppedLeftover) console.log(`stopped the Temporal dev server (pid ${server.stoppedLeftover}) that a killed run had left on ${DATA_DIR}`);
    address = server.address;
    console.log(`Temporal dev server on ${address} (data and log in .data/); web UI at ${server.uiUrl}`);
  }
  // Otherwise the worker and the API read TEMPORAL_ADDRESS and the rest (client/temporal-connection.ts).
  // Systems without credentials run against their local fakes (fakes/), started here, never by the worker.
  // On fixed ports (FAKES_PORT and the nine after it) and with their data in .data/fakes/, so a restart finds
  // them where they were, holding what they held.
  // (The embedded default only: `worker` starts fakes of its own on any free ports, as before.)
  const sandbox = await startFakes(process.env, options.devServer ? { basePort: portFrom('FAKES_PORT', DEFAULT_FAKES_PORT), stateDir: path.join(DATA_DIR, 'fakes') } : {});
  for (const fake of sandbox.fakes) console.log(`${fake.system}: no credentials configured, using the local fake at ${fake.url} (control: ${controlUrlOf(fake)})`);
  // The demo data set, loaded once into fakes that have no saved data yet; its ids are kept to print again.
  if (options.devServer) {
    const demoFile = path.join(DATA_DIR, 'fakes', 'demo.json');
    mkdirSync(path.dirname(demoFile), { recursive: true });
    if (!existsSync(demoFile)) writeFileSync(demoFile, JSON.stringify(await loadDemoData(sandbox), null, 2));
    for (const line of describeDemo(JSON.parse(readFileSync(demoFile, 'utf8')))) console.log(line);
  }
  let api: { url: string; warnings: string[]; close(): Promise<void> } | undefined;
  try {
    if (options.api) {
      const { startApi } = await import('../../api/server');
      // The sandbox's environment carries the fakes' webhook secrets, so their webhooks verify too.
      api = await startApi(address, sandbox.env);
      console.log(`ops API on ${api.url} (OpenAPI document at ${api.url}/openapi.json; sign in with a key from \`npm run cli -- keys issue <person>\`)`);
      console.log(`web inbox on ${api.url}/inbox (sign in there with the same key)`);
      // The fakes' webhooks go to this API, as an administrator sets them up in each vendor's screens.
      connectFakes(sandbox, api.url);
      for (const warning of api.warnings) console.warn(`warning: ${warning}`);
      // The API drains beside the worker: it stops taking requests and finishes the ones in flight.
      const draining = api;
      onStopSignal(() => void draining.close());
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
