/**
 * The web task inbox, served by the API under the same sign-in: people see their open tasks, decide them
 * through forms generated from the tasks' JSON Schemas, follow an instance on its diagram and start
 * processes. The pages are a small React application (`inbox/app/`, bundled by esbuild when first asked
 * for); the server side here only serves the pages, their assets, the sign-in page and the diagram data.
 *
 * Pages: `/inbox` (my tasks), `/tasks/<workflowId>/<taskId>` (the link task e-mails carry),
 * `/inbox/instances/<workflowId>`, `/inbox/start` and `/inbox/start/<process>`, `/inbox/sign-in`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiKeyStore } from '../api/identity/api-keys';
import type { ApiContext } from '../api/context';
import { assetRoutes } from './assets';
import { dataRoutes } from './data';
import { pageRoutes } from './pages';
import { sessionRoutes } from './session';

export interface InboxOptions extends ApiContext {
  keys: ApiKeyStore;
}

export function inboxRoutes(options: InboxOptions): FastifyPluginAsync {
  return async (app) => {
    await app.register(assetRoutes);
    await app.register(sessionRoutes(options));
    await app.register(pageRoutes);
    await app.register(dataRoutes(options));
  };
}
