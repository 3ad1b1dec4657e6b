/**
 * `run` (what `npm start` calls): the embedded default. A dev server with its SQLite file in .data/ (or the
 * server at TEMPORAL_ADDRESS), the worker with local fakes for systems without credentials, and the API.
 * Ctrl-C stops the worker, then the API, then the dev server.
 */
import { startDevServer, type RunningDevServer } from '../../client/dev-server';
import { runWorker } from '../../worker';
import type { Command } from '../command';

export const run: Command = {
  name: 'run',
  summary: 'run the product: dev server (unless TEMPORAL_ADDRESS is set), worker, local fakes and the API',
  usage: 'run',
  help: 'The API listens on OPS_API_PORT (default 4100). Ctrl-C stops everything.',
  async run() {
    let server: RunningDevServer | undefined;
    let address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      server = await startDevServer();
      address = server.address;
      console.log(`Temporal dev server on ${address} (data and log in .data/); web UI at ${server.uiUrl}`);
    }
    const { startApi } = await import('../../api/server');
    const api = await startApi(address).catch(async (error) => {
      await server?.stop();
      throw error;
    });
    console.log(`ops API on ${api.url} (OpenAPI document at ${api.url}/openapi.json; sign in with a key from \`npm run cli -- keys issue <person>\`)`);
    console.log(`web inbox on ${api.url}/inbox (sign in there with the same key)`);
    try {
      await runWorker(address);
    } finally {
      await api.close();
      await server?.stop();
    }
    console.log('stopped');
    return 0;
  },
};
