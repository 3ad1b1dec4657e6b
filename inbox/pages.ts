/**
 * The inbox's pages. Each answers the same HTML document naming its view; the React application reads the
 * rest (workflow id, task id, process) from the address. A visitor who is not signed in is sent to the
 * sign-in page and brought back afterwards.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ApiProblem } from '../api/problems';
import { document, escapeHtml } from './html';
import { HOME, SIGN_IN } from './session';

const PAGES: { url: string; page: string; title: string }[] = [
  { url: HOME, page: 'tasks', title: 'My tasks' },
  // The address task e-mails link to (INBOX_URL + `/tasks/<workflowId>/<taskId>`); the workflow id may hold a slash.
  { url: '/tasks/*', page: 'task', title: 'Task' },
  { url: '/inbox/instances/*', page: 'instance', title: 'Instance' },
  { url: '/inbox/start', page: 'processes', title: 'Start a process' },
  { url: '/inbox/start/:process', page: 'start', title: 'Start a process' },
];

export const pageRoutes: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiProblem && error.code === 'unauthenticated') {
      return reply.redirect(`${SIGN_IN}?next=${encodeURIComponent(request.url)}`, 303);
    }
    const status = error instanceof ApiProblem ? (error.code === 'forbidden' ? 403 : 400) : 500;
    if (status === 500) request.log.error({ err: error }, 'inbox page failed');
    const detail = error instanceof ApiProblem ? error.detail : 'Something went wrong on the server; it has been logged.';
    return reply.code(status).type('text/html; charset=utf-8').send(document('Not available', 'error', `
<main id="main" class="narrow"><h1>Not available</h1><p>${escapeHtml(detail)}</p>
<form method="post" action="/inbox/sign-out"><button type="submit">Sign in as someone else</button></form></main>`));
  });

  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.redirect(HOME, 302));

  for (const { url, page, title } of PAGES) {
    // Not public: the API's sign-in runs first, so the page is only served to someone signed in.
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(document(title, page)));
  }
};
