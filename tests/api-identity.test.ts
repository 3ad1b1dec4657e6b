/**
 * Sign-in with OpenID Connect tokens, verified against a local identity provider's published keys (a
 * real JWKS over HTTP, found through its discovery document), and the API keys' store. No Temporal is
 * needed: `/processes` answers from the definitions.
 */
import { Client, Connection } from '@temporalio/client';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiKeyStore } from '../api/identity/api-keys';
import { OidcVerifier } from '../api/identity/oidc';
import { call, startTestApi, type ApiHarness } from './support/api';

let idp: Server;
let issuer: string;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let api: ApiHarness;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  idp = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') return response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    if (request.url === '/keys') return response.end(JSON.stringify({ keys: [jwk] }));
    response.statusCode = 404;
    response.end('{}');
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const address = idp.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  api = await startTestApi(client, [], { oidc: new OidcVerifier({ issuer, audience: 'ops-api', personClaim: 'email', rolesClaim: 'groups' }) });
});

afterAll(async () => {
  await api?.close();
  await new Promise((resolve) => idp?.close(resolve));
});

function token(claims: Record<string, unknown>, options: { key?: CryptoKey; audience?: string; expires?: string; issuer?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? 'ops-api')
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(options.key ?? signingKey);
}

const withToken = async (jwt: string) => call(api.url, 'GET', '/processes', { headers: { authorization: `Bearer ${jwt}` } });

describe('OpenID Connect sign-in', () => {
  it('accepts a token signed by the issuer for a person of the directory', async () => {
    const answer = await withToken(await token({ email: 'Ivy.Chan@example.com', groups: ['iod'] }));
    expect(answer.status).toBe(200);
  });

  it.each([
    ['an expired token', { expires: '-1m' }, 'the token has expired: sign in again'],
    ['a token signed by another key', { key: 'stranger' }, 'the token signature does not verify'],
    ['a token for another audience', { audience: 'other-app' }, "the token's 'aud' claim is not accepted here (check_failed)"],
    ['a token from another issuer', { issuer: 'http://elsewhere.invalid' }, "the token's 'iss' claim is not accepted here (check_failed)"],
  ])('refuses %s with 401 saying why', async (_what, options, detail) => {
    const { key, ...rest } = options as { key?: string; expires?: string; audience?: string; issuer?: string };
    const answer = await withToken(await token({ email: 'ivy.chan@example.com' }, { ...rest, key: key ? strangerKey : undefined }));
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ type: '/problems/unauthenticated', detail });
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a valid token for someone outside the people directory with 403', async () => {
    const answer = await withToken(await token({ email: 'stranger@example.com' }));
    expect(answer.status).toBe(403);
    expect(answer.body.detail).toBe('you are signed in, but not in the people directory: ask an administrator to add you');
  });

  it('refuses a token without the person claim, and a malformed one', async () => {
    expect((await withToken(await token({ sub: 'x' }))).body.detail).toBe("the token has no 'email' claim naming the person");
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
