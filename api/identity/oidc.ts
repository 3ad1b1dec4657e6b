/**
 * OpenID Connect bearer tokens, for a company's identity provider: the token's signature is checked with
 * `jose` against the issuer's published keys (JWKS, fetched and cached by `createRemoteJWKSet`), with the
 * issuer, audience and expiry; the person is then found in the people directory by a configured claim
 * (`email` by default), and the roles come from a configured claim or, without one, from the directory.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** The issuer's JWKS address; discovered from `<issuer>/.well-known/openid-configuration` when absent. */
  jwksUrl?: string;
  /** The claim naming the person: matched against the directory's e-mail addresses, then its ids. */
  personClaim: string;
  /**
   * A claim holding the person's roles (a list, or names separated by spaces or commas). When set, the
   * identity provider is the authority: the claim's roles replace the directory's, and a token without the
   * claim holds no role (never a fallback to the directory). Without it, the directory's roles apply.
   */
  rolesClaim?: string;
}

/** Reads OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL, OIDC_PERSON_CLAIM and OIDC_ROLES_CLAIM; undefined when not configured. */
export function oidcSettingsFromEnv(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  if (!env.OIDC_ISSUER) return undefined;
  if (!env.OIDC_AUDIENCE) throw new Error('OIDC_ISSUER is set but OIDC_AUDIENCE is not: set it to the client id tokens are issued for');
  return {
    issuer: env.OIDC_ISSUER,
    audience: env.OIDC_AUDIENCE,
    jwksUrl: env.OIDC_JWKS_URL || undefined,
    personClaim: env.OIDC_PERSON_CLAIM || 'email',
    rolesClaim: env.OIDC_ROLES_CLAIM || undefined,
  };
}

/** Thrown by `verify` with a reason safe to show the caller (it names no key and echoes no token). */
export class TokenRefused extends Error {
  override name = 'TokenRefused';
}

export class OidcVerifier {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(readonly settings: OidcSettings) {}

  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    let url = this.settings.jwksUrl;
    if (!url) {
      const discovery = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(discovery, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`OIDC discovery at ${discovery} answered ${response.status}`);
      url = ((await response.json()) as { jwks_uri?: string }).jwks_uri;
      if (!url) throw new Error(`OIDC discovery at ${discovery} names no jwks_uri`);
    }
    this.jwks = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000 });
    return this.jwks;
  }

  async verify(token: string): Promise<{ subject: string; claims: JWTPayload }> {
    try {
      const { payload } = await jwtVerify(token, await this.keys(), { issuer: this.settings.issuer, audience: this.settings.audience });
      const subject = payload[this.settings.personClaim];
      if (typeof subject !== 'string' || !subject) throw new TokenRefused(`the token has no '${this.settings.personClaim}' claim naming the person`);
      return { subject, claims: payload };
    } catch (error) {
      throw refusal(error);
    }
  }

  rolesOf(claims: JWTPayload): string[] | undefined {
    if (!this.settings.rolesClaim) return undefined;
    const value = claims[this.settings.rolesClaim];
    return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : typeof value === 'string' ? value.split(/[ ,]+/).filter(Boolean) : [];
  }
}

function refusal(error: unknown): Error {
  if (error instanceof TokenRefused) return error;
  if (error instanceof errors.JWTExpired) return new TokenRefused('the token has expired: sign in again');
  if (error instanceof errors.JWTClaimValidationFailed) return new TokenRefused(`the token's '${error.claim}' claim is not accepted here (${error.reason})`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenRefused('the token signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return new TokenRefused("the token was not signed by one of the issuer's keys");
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return new TokenRefused('the token is not a well-formed JWT');
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return new TokenRefused('the token uses an algorithm that is not accepted');
  // The identity provider did not answer: not the caller's fault, so not a refusal.
  return error instanceof Error ? error : new Error(String(error));
}
