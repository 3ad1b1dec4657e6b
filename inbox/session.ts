/**
 * Signing in from a browser with a per-person API key: the sign-in page takes the key in a form (POSTed,
 * so it never appears in a URL or a server log line), checks it against the key store and the people
 * directory, and keeps it in an HttpOnly, SameSite=Strict cookie that the API's sign-in reads. Companies
 * using OpenID Connect put the inbox behind their proxy, which sends the bearer token on every request.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SESSION_COOKIE } from '../api/sign-in';
import { WRITE } from '../api/context';
import { document, escapeHtml } from './html';
import type { InboxOptions } from './index';

export const SIGN_IN = '/inbox/sign-in';
export const HOME = '/inbox';

/** How long a browser stays signed in. */
const SESSION_SECONDS = 12 * 60 * 60;

const SignInForm = z.object({ key: z.string().trim().default(''), next: z.string().default(HOME) });

/** Only a path on this site: an absolute or protocol-relative `next` would send people elsewhere. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : HOME;
}

function signInPage(next: string, error?: string): string {
  const alert = error ? `<div class="alert" role="alert" id="sign-in-error">${escapeHtml(error)}</div>` : '';
  return document('Sign in', 'sign-in', `
<main id="main" class="narrow">
  <h1>Sign in</h1>
  <p>Paste the API key you were given (it starts with <code>ops_</code>). An administrator issues one with
  <code>npm run cli -- keys issue &lt;your id&gt;</code>.</p>
  ${alert}
  <form method="post" action="${SIGN_IN}" class="stack">
    <input type="hidden" name="next" value="${escapeHtml(next)}">
    <label for="key">API key</label>
    <input id="key" name="key" type="password" autocomplete="current-password" required spellcheck="false"
      ${error ? 'aria-invalid="true" aria-describedby="sign-in-error" autofocus' : 'autofocus'}>
    <button type="submit">Sign in</button>
  </form>
</main>`);
}

function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

export function sessionRoutes(options: InboxOptions): FastifyPluginAsync {
  return async (app) => {
    // The sign-in form posts as a browser does without scripts; only this plugin accepts that encoding.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    app.get(SIGN_IN, { config: { public: true }, schema: { hide: true } }, async (request: FastifyRequest<{ Querystring: { next?: string } }>, reply) =>
      sendPage(reply, 200, signInPage(safeNext(request.query.next))));

    app.post(SIGN_IN, { config: { public: true, ...WRITE }, schema: { hide: true } }, async (request, reply) => {
      const form = SignInForm.safeParse(request.body ?? {});
      const next = safeNext(form.success ? form.data.next : undefined);
      const key = form.success ? form.data.key : '';
      if (!key) return sendPage(reply, 400, signInPage(next, 'Enter your API key.'));
      const stored = options.keys.verify(key);
      if (!stored) return sendPage(reply, 401, signInPage(next, 'That key is not recognised or has been revoked. Check that you pasted all of it, or ask for a new one.'));
      const person = options.directory.person(stored.person);
      if (!person) return sendPage(reply, 403, signInPage(next, `The key's owner '${stored.person}' is no longer in the people directory: ask an administrator.`));
      request.log.info({ person: person.id, key: stored.id }, 'signed in to the inbox');
      return reply
        .setCookie(SESSION_COOKIE, key, { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: '/', maxAge: SESSION_SECONDS })
        .redirect(next, 303);
    });

    app.post('/inbox/sign-out', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
      reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect(SIGN_IN, 303));
  };
}
