/**
 * CXone authentication and API discovery (vendors.md §3). The token endpoint is read from the issuer's
 * OpenID configuration (`{issuer}/.well-known/openid-configuration`, `token_endpoint`, OpenID Connect
 * Discovery 1.0 §4), never assumed. A password grant there with
 * the app's client credentials in Basic auth and the access key as username/password returns an access
 * token and an `id_token` whose claims name the tenant; `{issuer}/.well-known/cxone-configuration?tenantId=`
 * then gives the tenant's `api_endpoint`. The token is cached until shortly before it expires, and refreshed
 * on demand when the API answers 401. Concurrent callers share one token request.
 */
import { z } from 'zod';
import { ConnectorError, isRetryableStatus, retryAfterMs } from '../shared/errors';
import type { CxoneConfig } from './config';

export const SYSTEM = 'cxone';

const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  id_token: z.string().optional(),
  expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
});

const Discovery = z.looseObject({ api_endpoint: z.string().url(), area: z.string().optional() });
const OpenIdConfiguration = z.looseObject({ token_endpoint: z.string().url() });

interface Token {
  accessToken: string;
  /** Epoch ms after which the token is no longer used. */
  refreshAt: number;
  tenantId: string | undefined;
}

/** Reads the claims of a JWT without verifying it: we received it from the issuer over our own request. */
function jwtClaims(jwt: string | undefined): Record<string, unknown> {
  const payload = jwt?.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export class CxoneSession {
  private token?: Token;
  private tokenUrl?: Promise<URL>;
  private pending?: Promise<Token>;
  private apiEndpoint?: Promise<string>;

  constructor(private readonly config: CxoneConfig) {}

  /** The secrets that must never appear in a message. */
  get secrets(): string[] {
    return [this.config.clientSecret, this.config.accessKeySecret, ...(this.token ? [this.token.accessToken] : [])];
  }

  /** A valid access token, from the cache or a new grant. */
  async accessToken(action: string): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.accessToken;
    return (await this.grant(action)).accessToken;
  }

  /** Drops the cached token and fetches a new one (after the API answered 401). */
  async refresh(action: string): Promise<void> {
    this.token = undefined;
    await this.grant(action);
  }

  /** The tenant's API host, e.g. `https://api-na1.niceincontact.com`, discovered once. */
  async apiBaseUrl(action: string): Promise<string> {
    this.apiEndpoint ??= this.discover(action).catch((err: unknown) => {
      this.apiEndpoint = undefined;
      throw err;
    });
    return this.apiEndpoint;
  }

  private grant(action: string): Promise<Token> {
    this.pending ??= this.requestToken(action).then(
      (token) => {
        this.token = token;
        this.pending = undefined;
        return token;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    return this.pending;
  }

  /** The issuer's token endpoint, from its OpenID configuration (fetched once per session). */
  private async tokenEndpoint(action: string): Promise<URL> {
    this.tokenUrl ??= this.fetchJson(action, 'GET /.well-known/openid-configuration', new URL('/.well-known/openid-configuration', this.config.issuerUrl), { method: 'GET' }).then(
      (payload) => {
        const parsed = OpenIdConfiguration.safeParse(payload);
        if (!parsed.success) throw new ConnectorError(SYSTEM, action, 'GET /.well-known/openid-configuration: no token_endpoint in the answer', { retryable: false });
        return new URL(parsed.data.token_endpoint);
      },
    ).catch((err: unknown) => {
      this.tokenUrl = undefined; // a failed lookup must not stick
      throw err;
    });
    return this.tokenUrl;
  }

  private async requestToken(action: string): Promise<Token> {
    const { clientId, clientSecret, accessKeyId, accessKeySecret } = this.config;
    // URLSearchParams percent-encodes the keys (they may contain "="), as the token endpoint requires.
    const body = new URLSearchParams({ grant_type: 'password', username: accessKeyId, password: accessKeySecret });
    const payload = await this.fetchJson(action, 'POST token_endpoint', await this.tokenEndpoint(action), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const parsed = TokenResponse.safeParse(payload);
    if (!parsed.success) throw new ConnectorError(SYSTEM, action, 'POST /auth/token: unexpected token response', { retryable: false });
    const lifetimeMs = parsed.data.expires_in * 1000;
    const tenantId = jwtClaims(parsed.data.id_token).tenantId;
    return {
      accessToken: parsed.data.access_token,
      // Renew a minute early (or at half-life for short tokens) so a request never leaves with a dying token.
      refreshAt: Date.now() + Math.max(lifetimeMs - 60_000, lifetimeMs / 2),
      tenantId: typeof tenantId === 'string' ? tenantId : undefined,
    };
  }

  private async discover(action: string): Promise<string> {
    const token = this.token ?? (await this.grant(action));
    if (!token.tenantId) throw new ConnectorError(SYSTEM, action, 'the id_token carries no tenantId claim, so the API host cannot be discovered', { retryable: false });
    const url = new URL('/.well-known/cxone-configuration', this.config.issuerUrl);
    url.searchParams.set('tenantId', token.tenantId);
    const parsed = Discovery.safeParse(await this.fetchJson(action, 'GET /.well-known/cxone-configuration', url, { method: 'GET' }));
    if (!parsed.success) throw new ConnectorError(SYSTEM, action, 'GET /.well-known/cxone-configuration: no api_endpoint in the answer', { retryable: false });
    return parsed.data.api_endpoint.replace(/\/+$/, '');
  }

  private async fetchJson(action: string, what: string, url: URL, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.config.timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new ConnectorError(SYSTEM, action, `${what} failed: ${cause}`, { retryable: true });
    }
    const text = await response.text();
    if (response.ok) return text ? (JSON.parse(text) as unknown) : undefined;
    const status = response.status;
    // The token endpoint answers 400 invalid_grant or 401 invalid_client for bad keys: both need a person.
    const rejected = what === 'POST token_endpoint' && (status === 400 || status === 401);
    const message = rejected
      ? `${what} answered ${status}: credentials rejected (check CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID, CXONE_ACCESS_KEY_SECRET)`
      : `${what} answered ${status}`;
    throw new ConnectorError(SYSTEM, action, message, { status, retryable: isRetryableStatus(status), retryAfterMs: retryAfterMs(response.headers) });
  }
}
