/**
 * Sign-in with OpenID Connect tokens, verified against a local identity provider's published keys (a
 * real JWKS over HTTP, found through its discovery document; who the API then takes the bearer for, as the
 * inbox reads it from `/inbox/data/me`), and the API keys' store. No Temporal is
 * needed: `/processes` answers from the definitions.
 */
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiKeyStore } from '../api/identity/api-keys';
import { OidcVerifier } from '../api/identity/oidc';
import { call, startTestApi, type ApiHarness } from './support/api';
import { startLocalIdp, type LocalIdp } from './support/oidc';

let idp: LocalIdp;
/** Roles from the `groups` claim (OIDC_ROLES_CLAIM=groups). */
let api: ApiHarness;
/** No roles claim configured: the people directory's roles. */
let directoryRolesApi: ApiHarness;

beforeAll(async () => {
  idp = await startLocalIdp();
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  api = await startTestApi(client, [], { oidc: new OidcVerifier({ issuer: idp.issuer, audience: 'ops-api', personClaim: 'email', rolesClaim: 'groups' }) });
  directoryRolesApi = await startTestApi(client, [], { oidc: new OidcVerifier({ issuer: idp.issuer, audience: 'ops-api', personClaim: 'email' }) });
});

afterAll(async () => {
  await api?.close();
  await directoryRolesApi?.close();
  await idp?.close();
});

const withToken = async (jwt: string, on = api) => call(on.url, 'GET', '/processes', { headers: { authorization: `Bearer ${jwt}` } });
/** Who the API takes the bearer of this token for: the person and roles the inbox shows and decisions carry. */
const signedInAs = async (jwt: string, on = api) => call(on.url, 'GET', '/inbox/data/me', { headers: { authorization: `Bearer ${jwt}` } });

describe('OpenID Connect sign-in', () => {
  it('accepts a token signed by the issuer for a person of the directory', async () => {
    const answer = await withToken(await idp.token({ email: 'Ivy.Chan@example.com', groups: ['iod'] }));
    expect(answer.status).toBe(200);
  });

  it('takes the person from the person claim and the roles from the roles claim', async () => {
    // `sub` names someone else: only the configured claim (email) says who this is.
    const answer = await signedInAs(await idp.token({ sub: 'ivy.chan', email: 'Carla.Mendes@example.com', groups: ['cam', 'iod'] }));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: 'carla.mendes', name: 'Carla Mendes', roles: ['cam', 'iod'] });
  });

  it('lets the roles claim decide when it is configured: a role the directory does not give is held, a missing claim holds none', async () => {
    // The directory gives ivy.chan only `iod`; with OIDC_ROLES_CLAIM set, the identity provider is the authority.
    expect((await signedInAs(await idp.token({ email: 'ivy.chan@example.com', groups: ['cam'] }))).body.roles).toEqual(['cam']);
    expect((await signedInAs(await idp.token({ email: 'ivy.chan@example.com', groups: 'cam iod' }))).body.roles).toEqual(['cam', 'iod']);
    expect((await signedInAs(await idp.token({ email: 'ivy.chan@example.com' }))).body).toEqual({ id: 'ivy.chan', name: 'Ivy Chan', roles: [] });
  });

  it('takes the roles from the people directory when no roles claim is configured, whatever the token lists', async () => {
    const answer = await signedInAs(await idp.token({ email: 'ivy.chan@example.com', groups: ['cam', 'admin'] }), directoryRolesApi);
    expect(answer.body).toEqual({ id: 'ivy.chan', name: 'Ivy Chan', roles: ['iod'] });
  });

  it.each([
    ['an expired token', { expires: '-1m' }, 'the token has expired: sign in again'],
    ['a token signed by another key', { stranger: true }, 'the token signature does not verify'],
    ['a token for another audience', { audience: 'other-app' }, "the token's 'aud' claim is not accepted here (check_failed)"],
    ['a token from another issuer', { issuer: 'http://elsewhere.invalid' }, "the token's 'iss' claim is not accepted here (check_failed)"],
  ])('refuses %s with 401 saying why, and nothing of the token or the expected values', async (_what, options, detail) => {
    const jwt = await idp.token({ email: 'ivy.chan@example.com', groups: ['iod'] }, options);
    const answer = await withToken(jwt);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ type: '/problems/unauthenticated', title: 'Sign-in required', status: 401, detail, instance: '/processes' });
    const wwwAuthenticate = answer.headers.get('www-authenticate') ?? '';
    expect(wwwAuthenticate).toBe(`Bearer realm="ops", error="invalid_token", error_description="${detail.replace(/"/g, "'")}"`);
    // Neither the answer nor its header repeats the token, its claims, or what this server expects.
    for (const secret of [jwt, jwt.split('.')[1], idp.issuer, 'ops-api', 'ivy.chan', 'other-app', 'elsewhere.invalid']) {
      expect(JSON.stringify(answer.body)).not.toContain(secret);
      expect(wwwAuthenticate).not.toContain(secret);
    }
  });

  it('refuses a valid token for someone outside the people directory with 403', async () => {
    const answer = await withToken(await idp.token({ email: 'stranger@example.com' }));
    expect(answer.status).toBe(403);
    expect(answer.body.detail).toBe('you are signed in, but not in the people directory: ask an administrator to add you');
  });

  it('refuses a token without the person claim, and a malformed one', async () => {
    expect((await withToken(await idp.token({ sub: 'x' }))).body.detail).toBe("the token has no 'email' claim naming the person");
    expect((await withToken('not.a.jwt')).body.detail).toBe('the token is not a well-formed JWT');
  });
});

describe('API keys', () => {
  it('are stored hashed: the file never holds the secret, and a revoked key stops working', () => {
    const store = new ApiKeyStore(path.join(mkdtempSync(path.join(tmpdir(), 'keys-')), 'keys.json'));
    const { key, summary } = store.issue('ivy.chan', 'laptop');
    expect(key).toMatch(/^ops_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const secret = key.split('_').slice(2).join('_');
    expect(readFileSync(store.file, 'utf8')).not.toContain(secret);
    expect(store.verify(key)).toMatchObject({ person: 'ivy.chan', label: 'laptop' });
    expect(store.verify(key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a'))).toBeUndefined();
    expect(store.revoke(summary.id)).toBe(true);
    expect(store.verify(key)).toBeUndefined();
    expect(store.list()).toEqual([expect.objectContaining({ id: summary.id, person: 'ivy.chan', revokedAt: expect.any(String) })]);
    expect(store.list()[0]).not.toHaveProperty('sha256');
  });
});
