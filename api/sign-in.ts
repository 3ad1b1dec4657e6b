/**
 * Sign-in, as one plugin that decorates the request with the authenticated person. Every route is
 * authenticated unless its config says `public: true` (the OpenAPI document, the health check, and the
 * webhooks, which verify the vendor's signature instead). A bearer credential is either an API key
 * (`ops_...`, issued per person by `cli keys issue`) or, when OIDC is configured, an identity provider's
 * token. The person and roles always come from here, never from a request body. The web inbox keeps a
 * person's API key in an HttpOnly, SameSite=Strict cookie (`SESSION_COOKIE`, set by its sign-in page), read
 * here when no Authorization header is sent.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Directory } from '../directory/model';
import { looksLikeApiKey, type ApiKeyStore } from './identity/api-keys';
import { TokenRefused, type OidcVerifier } from './identity/oidc';
import { ApiProblem } from './problems';

/** The cookie the inbox's sign-in page sets: the person's API key, never readable by page scripts. */
export const SESSION_COOKIE = 'ops_session';

/** Methods that change nothing: a cookie-signed request with any other method must come from this site. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SignedIn {
  id: string;
  name: string;
  roles: string[];
  /** How the person signed in, and which credential: rate limits count per credential. */
  via: 'api-key' | 'oidc';
  credential: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    person: SignedIn;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export interface SignInOptions {
  directory: Directory;
  keys: ApiKeyStore;
  oidc?: OidcVerifier;
}

function unauthenticated(detail: string, error: 'invalid_request' | 'invalid_token' = 'invalid_token'): ApiProblem {
  // RFC 6750 §3: a 401 names the scheme, and why the token was refused.
  return new ApiProblem('unauthenticated', detail, undefined, { 'www-authenticate': `Bearer realm="ops", error="${error}", error_description="${detail.replace(/"/g, "'")}"` });
}

async function authenticate(request: FastifyRequest, options: SignInOptions): Promise<SignedIn> {
  const header = request.headers.authorization ?? sessionHeader(request);
  if (!header) {
    throw new ApiProblem('unauthenticated', 'sign in: send "Authorization: Bearer <API key>" (issued by `npm run cli -- keys issue <person>`)' + (options.oidc ? ' or an OpenID Connect token' : ''), undefined, {
      'www-authenticate': 'Bearer realm="ops"',
    });
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('the Authorization header must read "Bearer <credential>"', 'invalid_request');
  const token = match[1];
  if (looksLikeApiKey(token)) {
    const key = options.keys.verify(token);
    if (!key) throw unauthenticated('the API key is not recognised or has been revoked');
    const person = options.directory.person(key.person);
    if (!person) throw new ApiProblem('forbidden', `the key's owner '${key.person}' is no longer in the people directory`);
    return { id: person.id, name: person.name, roles: person.roles, via: 'api-key', credential: `key:${key.id}` };
  }
  if (!options.oidc) throw unauthenticated('the credential is not an API key, and this server accepts no OpenID Connect tokens');
  let verified;
  try {
    verified = await options.oidc.verify(token);
  } catch (error) {
    if (error instanceof TokenRefused) throw unauthenticated(error.message);
    request.log.error({ err: error }, 'OIDC key set unavailable');
    throw new ApiProblem('identity-provider-unavailable', 'the identity provider did not answer; try again shortly');
  }
  const person = options.directory.personByEmail(verified.subject) ?? options.directory.person(verified.subject);
  if (!person) throw new ApiProblem('forbidden', 'you are signed in, but not in the people directory: ask an administrator to add you');
  const roles = options.oidc.rolesOf(verified.claims) ?? person.roles;
  return { id: person.id, name: person.name, roles, via: 'oidc', credential: `oidc:${person.id}` };
}

/**
 * The inbox's cookie, as the bearer header it stands for. SameSite=Strict already keeps other sites' pages
 * from sending it; a write whose Origin names another site is refused as well (defence in depth).
 */
function sessionHeader(request: FastifyRequest): string | undefined {
  const key = request.cookies?.[SESSION_COOKIE];
  if (!key) return undefined;
  const origin = request.headers.origin;
  if (!SAFE_METHODS.has(request.method) && origin !== undefined && hostOf(origin) !== request.headers.host) {
    throw new ApiProblem('forbidden', 'a request signed in by the inbox cookie must come from the inbox itself');
  }
  return `Bearer ${key}`;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

export const signIn = fp<SignInOptions>(
  async (app, options) => {
    app.decorateRequest('person', null as unknown as SignedIn);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config?.public) return;
      // Unknown routes answer 404 without asking for credentials.
      if (!request.routeOptions.url) return;
      request.person = await authenticate(request, options);
    });
  },
  { name: 'sign-in' },
);
