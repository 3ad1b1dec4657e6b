/**
 * The DocuSign client the actions receive: the official `docusign-esign` SDK for the eSignature REST calls,
 * and our own small OAuth exchange for the token, because the SDK's `requestJWTUserToken` always calls
 * `https://<oAuthBasePath>` (src/ApiClient.js), which no configured URL can change.
 *
 * Sign-in (DocuSign eSignature, "JSON Web Token (JWT) Grant" and "Get user info"): POST
 * `<oauthUrl>/oauth/token` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and an RS256
 * assertion {iss: integration key, sub: user id, aud: the OAuth host, iat, exp, scope: "signature
 * impersonation"}; then GET `/oauth/userinfo` names the account and its `base_uri`; the REST base is
 * `<base_uri>/restapi`. A 401 later renews the token once.
 *
 * Errors (eSignature REST API, "Error codes" and "API rules and limits"): bodies are `{errorCode, message}`;
 * hourly and burst limits answer 429 with HOURLY_APIINVOCATION_LIMIT_EXCEEDED or
 * BURST_APIINVOCATION_LIMIT_EXCEEDED, and every answer carries X-RateLimit-Limit/-Remaining/-Reset
 * (reset as epoch seconds).
 */
import { createSign } from 'node:crypto';
import { ApiClient, EnvelopesApi, TemplatesApi } from 'docusign-esign';
import { ConnectorError, isRetryableStatus, isTransientNetworkError, retryAfterMs } from '../shared/errors';
import { redact } from '../shared/http';
import type { DocuSignConfig } from './config';

export const SYSTEM = 'docusign';

const RATE_LIMIT_CODES = new Set(['HOURLY_APIINVOCATION_LIMIT_EXCEEDED', 'BURST_APIINVOCATION_LIMIT_EXCEEDED', 'HOURLY_ENVELOPE_POLLING_LIMIT_EXCEEDED']);

interface Session {
  accessToken: string;
  accountId: string;
  expiresAt: number;
}

interface AxiosLikeError {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status: number; headers: Record<string, string>; data: unknown };
}

export class DocuSignClient {
  readonly envelopes: EnvelopesApi;
  readonly templates: TemplatesApi;
  private readonly api: ApiClient;
  private session?: Promise<Session>;

  constructor(private readonly config: DocuSignConfig) {
    this.api = new ApiClient();
    this.api.timeout = config.timeoutMs;
    this.envelopes = new EnvelopesApi(this.api);
    this.templates = new TemplatesApi(this.api);
  }

  /** Runs SDK work with a signed-in session (renewed once on 401) and classifies what fails. */
  async call<T>(action: string, request: string, work: (accountId: string) => Promise<T>): Promise<T> {
    let session = await this.signIn(action);
    try {
      try {
        return await work(session.accountId);
      } catch (err) {
        if ((err as AxiosLikeError)?.response?.status !== 401) throw err;
        this.session = undefined;
        session = await this.signIn(action);
        return await work(session.accountId);
      }
    } catch (err) {
      throw this.classify(err, action, request, session.accessToken);
    }
  }

  private signIn(action: string): Promise<Session> {
    const current = this.session;
    if (current) {
      // Renew a minute before the token lapses rather than let a call fail on it.
      return current.then((s) => (s.expiresAt - Date.now() > 60_000 ? s : ((this.session = undefined), this.signIn(action))));
    }
    const session = this.requestSession(action);
    this.session = session;
    session.catch(() => { if (this.session === session) this.session = undefined; });
    return session;
  }

  private async requestSession(action: string): Promise<Session> {
    const oauth = this.config.oauthUrl.replace(/\/+$/, '');
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: this.assertion() });
    const token = await this.oauthRequest(action, 'POST /oauth/token', `${oauth}/oauth/token`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } }) as { access_token: string; expires_in: number };
    const info = await this.oauthRequest(action, 'GET /oauth/userinfo', `${oauth}/oauth/userinfo`, { headers: { authorization: `Bearer ${token.access_token}` } }) as {
      accounts?: Array<{ account_id: string; is_default: boolean; base_uri: string }>;
    };
    const accounts = info.accounts ?? [];
    const account = this.config.accountId ? accounts.find((a) => a.account_id === this.config.accountId) : accounts.find((a) => a.is_default) ?? accounts[0];
    if (!account) {
      throw new ConnectorError(SYSTEM, action, `the DocuSign user has no account${this.config.accountId ? ` ${this.config.accountId}` : ''}; check DOCUSIGN_ACCOUNT_ID`, { retryable: false });
    }
    this.api.setBasePath(`${account.base_uri.replace(/\/+$/, '')}/restapi`);
    this.api.addDefaultHeader('Authorization', `Bearer ${token.access_token}`);
    return { accessToken: token.access_token, accountId: account.account_id, expiresAt: Date.now() + token.expires_in * 1000 };
  }

  private async oauthRequest(action: string, request: string, url: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.config.timeoutMs) });
    } catch (err) {
      throw new ConnectorError(SYSTEM, action, `${request} failed: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`, { retryable: true });
    }
    const body = await response.json().catch(() => undefined) as { error?: string; error_description?: string } | undefined;
    if (response.ok) return body;
    // consent_required, invalid_grant, no_valid_keys_or_signatures: the app's set-up, not a passing fault.
    const reason = [body?.error, body?.error_description].filter(Boolean).join(': ');
    throw new ConnectorError(SYSTEM, action, `${request} answered ${response.status}${reason ? `: ${reason}` : ''}`, {
      status: response.status,
      retryable: isRetryableStatus(response.status),
      retryAfterMs: retryAfterMs(response.headers),
    });
  }

  /** The JWT grant's assertion, RS256-signed with the integration's private key. */
  private assertion(): string {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({
      iss: this.config.integrationKey,
      sub: this.config.userId,
      aud: new URL(this.config.oauthUrl).host,
      iat: now,
      exp: now + 3600,
      scope: 'signature impersonation',
    })}`;
    const signature = createSign('RSA-SHA256').update(unsigned).sign(this.config.privateKey).toString('base64url');
    return `${unsigned}.${signature}`;
  }

  private classify(err: unknown, action: string, request: string, accessToken: string): ConnectorError {
    if (err instanceof ConnectorError) return err;
    const e = err as AxiosLikeError;
    const secrets = [accessToken];
    if (!e?.response) {
      return new ConnectorError(SYSTEM, action, redact(`${request} failed: ${e?.code ?? e?.message ?? String(err)}`, secrets), {
        retryable: isTransientNetworkError(err) || ['ECONNABORTED', 'ETIMEDOUT', 'ERR_NETWORK'].includes(e?.code ?? ''),
      });
    }
    const { status, headers, data } = e.response;
    const body = (data ?? {}) as { errorCode?: string; message?: string };
    const retryable = isRetryableStatus(status) || RATE_LIMIT_CODES.has(body.errorCode ?? '');
    return new ConnectorError(SYSTEM, action, redact(`${request} answered ${status}${body.errorCode ? ` ${body.errorCode}` : ''}${body.message ? `: ${body.message}` : ''}`, secrets), {
      status,
      retryable,
      retryAfterMs: retryable ? retryAfterMs(headers) : undefined,
    });
  }
}
