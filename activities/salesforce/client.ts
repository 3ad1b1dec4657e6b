/**
 * The Salesforce client the actions receive: a jsforce Connection signed in with the client-credentials
 * flow, plus what jsforce leaves to us.
 *
 * - One retry layer. jsforce retries GETs on 420/429/5xx with its own back-off and ignores Retry-After
 *   (lib/request.js); Temporal's activity retry is the only layer here, so the transport turns jsforce's
 *   retry off and records each answer's status and headers for classification.
 * - Classification by Salesforce's documented error codes (REST API Developer Guide, "Status Codes and
 *   Error Responses"): the body is `[{message, errorCode, fields}]`. REQUEST_LIMIT_EXCEEDED (403) is the
 *   org's rolling 24-hour API limit (or, with "Concurrent" in its message, the concurrent long-request
 *   limit, which clears in seconds); UNABLE_TO_LOCK_ROW is a transient record lock.
 * - `Sforce-Limit-Info: api-usage=used/limit` on every answer is kept as `limitInfo` (jsforce parses it).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Connection, OAuth2 } from 'jsforce';
import { Transport } from 'jsforce/lib/transport';
import { ConnectorError, isRetryableStatus, isTransientNetworkError, retryAfterMs } from '../shared/errors';
import { redact } from '../shared/http';
import type { SalesforceConfig } from './config';

export const SYSTEM = 'salesforce';

interface ObservedAnswer {
  status: number;
  headers: Record<string, string>;
}

/** The answers of the current action call, so an error can be classified with its status and headers. */
const answers = new AsyncLocalStorage<{ last?: ObservedAnswer }>();

/** jsforce's own transport with its retry off and every answer recorded for the call in progress. */
class ObservedTransport extends Transport {
  constructor(private readonly timeoutMs: number) {
    super();
  }

  override httpRequest(...[request, options]: Parameters<Transport['httpRequest']>): ReturnType<Transport['httpRequest']> {
    const pending = super.httpRequest(request, { ...options, retry: { maxRetries: 0 }, timeout: this.timeoutMs });
    const scope = answers.getStore();
    if (scope) {
      pending.then(
        (response) => { scope.last = { status: response.statusCode, headers: response.headers as Record<string, string> }; },
        () => undefined,
      );
    }
    return pending;
  }
}

interface SalesforceErrorLike {
  name?: string;
  errorCode?: string;
  message?: string;
  data?: { fields?: unknown };
}

export class SalesforceClient {
  readonly connection: Connection;
  readonly externalIdField: string;
  private signedIn?: Promise<void>;
  private readonly secrets: string[];

  constructor(private readonly config: SalesforceConfig) {
    const oauth2 = new OAuth2({ loginUrl: config.loginUrl, clientId: config.clientId, clientSecret: config.clientSecret });
    this.connection = new Connection({
      oauth2,
      loginUrl: config.loginUrl,
      version: config.apiVersion,
      // An expired token (401 INVALID_SESSION_ID) is renewed with the same grant, once, by jsforce.
      refreshFn: (_conn, callback) => {
        oauth2.requestToken({ grant_type: 'client_credentials' }).then(
          (token) => callback(null, token.access_token, token),
          (err: Error) => callback(err),
        );
      },
    });
    this.connection._transport = new ObservedTransport(config.timeoutMs);
    // The token request has its own transport; without this it would wait jsforce's default of 30 minutes.
    oauth2._transport = new ObservedTransport(config.timeoutMs);
    this.externalIdField = config.externalIdField;
    this.secrets = [config.clientSecret];
  }

  /** The org's API usage from the last answer's Sforce-Limit-Info header, when one was seen. */
  get limitInfo(): { used: number; limit: number } | undefined {
    return this.connection.limitInfo?.apiUsage;
  }

  /**
   * Runs one piece of jsforce work for an action: signs in first if needed, and turns whatever fails into
   * a ConnectorError that says whether a retry can help. `request` says what was attempted, for messages.
   */
  async call<T>(action: string, request: string, work: (connection: Connection) => Promise<T>): Promise<T> {
    await this.signIn(action);
    const scope: { last?: ObservedAnswer } = {};
    try {
      return await answers.run(scope, () => work(this.connection));
    } catch (err) {
      throw this.classify(err, action, request, scope.last);
    }
  }

  /** A SOQL string literal: Salesforce escapes quotes and backslashes with a backslash (SOQL reference, "Quoted String Escape Sequences"). */
  static literal(value: string): string {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }

  /**
   * The value stored in the External ID field for an idempotency key. jsforce puts the value into the
   * upsert URL path unencoded, and the field holds 255 characters, so anything else is hashed (stable).
   */
  static externalIdValue(idempotencyKey: string): string {
    return /^[\w.:-]{1,255}$/.test(idempotencyKey) ? idempotencyKey : createHash('sha256').update(idempotencyKey).digest('hex');
  }

  private signIn(action: string): Promise<void> {
    if (!this.signedIn) {
      const scope: { last?: ObservedAnswer } = {};
      this.signedIn = answers.run(scope, () => this.connection.authorize({ grant_type: 'client_credentials' })).then(
        () => undefined,
        (err: Error) => {
          this.signedIn = undefined;
          throw this.signInFailure(err, action, scope.last);
        },
      );
    }
    return this.signedIn;
  }

  /**
   * jsforce's token error carries neither status nor headers: its `name` is OAuth's `error` field when the
   * body is JSON with one (invalid_client, invalid_grant), `ERROR_HTTP_<status>` (message: the raw body)
   * when the body is not JSON, and empty (message too) for any other JSON body, such as the REST error
   * array a 429 or 503 carries. So the answer the transport recorded decides: 429 and 5xx are passing
   * faults, retried after the Retry-After asked for; OAuth's refusals are the connected app's settings.
   */
  private signInFailure(err: Error, action: string, answer: ObservedAnswer | undefined): ConnectorError {
    const name = err?.name ?? '';
    const oauthError = name && !name.startsWith('ERROR_HTTP_') ? `${name}: ${err.message}` : '';
    const passing = answer !== undefined && isRetryableStatus(answer.status);
    const retryable = isTransientNetworkError(err) || passing;
    const where = `sign-in (client credentials) at ${new URL(this.config.loginUrl).origin}`;
    let text: string;
    if (!answer) text = `${where} failed: ${describe(err)}`;
    else if (oauthError && !passing) text = `${where} failed: ${oauthError}`;
    else {
      const said = oauthError || err?.message?.trim().slice(0, 200);
      text = `${where} answered ${answer.status}${said ? ` ${said}` : ''}${passing ? ' (Salesforce is busy or unavailable; retried)' : ''}`;
    }
    return new ConnectorError(SYSTEM, action, redact(text, this.secrets), {
      status: answer?.status,
      retryable,
      retryAfterMs: passing ? retryAfterMs(answer.headers) : undefined,
    });
  }

  private classify(err: unknown, action: string, request: string, answer: ObservedAnswer | undefined): ConnectorError {
    if (err instanceof ConnectorError) return err;
    const e = (err ?? {}) as SalesforceErrorLike;
    const secrets = [...this.secrets, this.connection.accessToken ?? ''];
    if (!answer || !e.errorCode) {
      // No answer at all: refused, reset, or our timeout. A create whose answer was lost is reconciled
      // through the External ID before anything is created again.
      // A token renewal (refreshFn) answered 429 or 5xx lands here too, as does a REST answer that is not JSON.
      const retryable = isTransientNetworkError(err) || (err as Error)?.name === 'TypeError' || !answer || isRetryableStatus(answer.status);
      // jsforce's own timeout text names a fixed duration; say the configured one.
      const reason = (err as Error)?.name === 'AbortError' ? `no answer within ${this.config.timeoutMs} ms` : describe(err);
      return new ConnectorError(SYSTEM, action, redact(`${request} failed: ${reason}`, secrets), {
        retryable,
        status: answer?.status,
        retryAfterMs: retryable && answer ? retryAfterMs(answer.headers) : undefined,
      });
    }
    const status = answer.status;
    const fields = Array.isArray(e.data?.fields) ? (e.data?.fields as unknown[]).filter((f): f is string => typeof f === 'string') : [];
    const base = `${request} answered ${status} ${e.errorCode}${fields.length ? ` (field "${fields.join('", "')}")` : ''}: ${e.message ?? ''}`;
    let retryable = isRetryableStatus(status) || e.errorCode === 'UNABLE_TO_LOCK_ROW' || e.errorCode === 'SERVER_UNAVAILABLE';
    let text = base;
    if (e.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
      const concurrent = /concurrent/i.test(e.message ?? '');
      retryable = concurrent;
      const usage = this.limitInfo ? ` (api-usage ${this.limitInfo.used}/${this.limitInfo.limit})` : '';
      if (!concurrent) text = `${base}. The org's rolling 24-hour API request limit is used up${usage}; retry once usage falls, or raise the limit`;
    }
    if (e.errorCode === 'INVALID_SESSION_ID') text = `${base}. The connected app's token was refused even after renewal: check its OAuth policies`;
    return new ConnectorError(SYSTEM, action, redact(text, secrets), {
      status,
      field: fields[0],
      retryable,
      retryAfterMs: retryable ? retryAfterMs(answer.headers) : undefined,
    });
  }
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}
