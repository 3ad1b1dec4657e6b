/**
 * A local OpenID Connect identity provider for the sign-in tests: its discovery document and JWKS served
 * over real HTTP on 127.0.0.1, and tokens signed with its key (or, to test refusals, another one).
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createServer } from 'node:http';

export interface TokenOptions {
  /** Sign with a key the issuer does not publish. */
  stranger?: boolean;
  audience?: string;
  issuer?: string;
  /** e.g. `5m`, or `-1m` for a token that has expired. */
  expires?: string;
}

export interface LocalIdp {
  issuer: string;
  token(claims: Record<string, unknown>, options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalIdp(): Promise<LocalIdp> {
  const pair = await generateKeyPair('RS256');
  const strangerKey: CryptoKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') return response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    if (request.url === '/keys') return response.end(JSON.stringify({ keys: [jwk] }));
    response.statusCode = 404;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    issuer,
    token: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? 'ops-api')
        .setIssuedAt()
        .setExpirationTime(options.expires ?? '5m')
        .sign(options.stranger ? strangerKey : pair.privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
