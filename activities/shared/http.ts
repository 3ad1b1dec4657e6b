/**
 * A thin typed JSON HTTP client for vendors without a usable official SDK (PartnerStack, CXone, ...).
 *
 * It does only what every connector needs and nothing more: a timeout per request, JSON in and out, an optional
 * zod check of the response, one token refresh on 401, and turning every failure into a ConnectorError that
 * says whether Temporal should retry it (and after how long). It never retries by itself: Temporal's activity
 * retry is the only retry layer.
 */
import type { z } from 'zod';
import { ConnectorError, isRetryableStatus, retryAfterMs } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpClientOptions {
  /** Names the system in error messages, e.g. `partnerstack`. */
  system: string;
  /** e.g. `https://api.partnerstack.com/api`; request paths are appended to it. */
  baseUrl: string;
  /** Auth and other headers, read before every request (so a refreshed token is picked up). */
  headers: () => Promise<Record<string, string>> | Record<string, string>;
  timeoutMs: number;
  /**
   * Called once when the server answers 401; the request is then sent once more with fresh headers.
   * Throw a ConnectorError if the refresh itself fails.
   */
  onUnauthorized?: () => Promise<void>;
}

export interface RequestOptions<T> {
  /** An array value is sent as the parameter repeated (`status=new&status=open`). */
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Checks the response body; a mismatch is a non-retryable error naming the first bad path. */
  schema?: z.ZodType<T>;
  /** The activity's cancellation signal. */
  signal?: AbortSignal;
}

export interface HttpClient {
  /** `action` names the connector action in error messages, e.g. `partnerstack.createDeal`. */
  request<T = unknown>(action: string, method: HttpMethod, path: string, options?: RequestOptions<T>): Promise<T>;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { system, timeoutMs } = options;

  async function send(action: string, method: HttpMethod, url: string, body: unknown, signal?: AbortSignal) {
    const headers = await options.headers();
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      return { response, payload: await readBody(response), secrets: Object.values(headers) };
    } catch (err) {
      // No HTTP answer at all (refused, reset, DNS, timeout): a retry may cure it. A POST that timed out may
      // have been applied, which is why mutating actions reconcile through their idempotency key.
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : signal?.aborted ? 'cancelled' : describeNetworkError(err);
      throw new ConnectorError(system, action, `${method} ${pathOf(url)} failed: ${reason}`, { retryable: true, cause: err });
    }
  }

  return {
    async request<T>(action: string, method: HttpMethod, path: string, request: RequestOptions<T> = {}): Promise<T> {
      const url = buildUrl(options.baseUrl, path, request.query);
      let result = await send(action, method, url, request.body, request.signal);
      if (result.response.status === 401 && options.onUnauthorized) {
        await options.onUnauthorized();
        result = await send(action, method, url, request.body, request.signal);
      }
      const { response, payload, secrets } = result;
      if (!response.ok) throw httpError(system, action, `${method} ${pathOf(url)}`, response.status, response.headers, payload, secrets);
      if (!request.schema) return payload as T;
      const parsed = request.schema.safeParse(payload);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      throw new ConnectorError(system, action, `unexpected response to ${method} ${pathOf(url)} at "${issue?.path.join('.')}": ${issue?.message}`, {
        status: response.status,
        retryable: false,
      });
    },
  };
}

/**
 * Builds the ConnectorError for a non-2xx answer: retryable per isRetryableStatus, with the server's
 * requested delay and the field the vendor blames. Exported so SDK-based connectors classify the same way.
 * `request` says what was attempted, e.g. `POST /v2/deals`.
 */
export function httpError(
  system: string,
  action: string,
  request: string,
  status: number,
  headers: Headers | Record<string, string>,
  payload: unknown,
  secrets: string[] = [],
): ConnectorError {
  const field = fieldFromErrorBody(payload);
  const text = [
    `${request} answered ${status}`,
    status === 401 ? 'credentials rejected' : undefined,
    field ? `field "${field}"` : undefined,
    messageFromErrorBody(payload),
  ].filter(Boolean).join(': ');
  return new ConnectorError(system, action, redact(text, secrets), {
    status,
    field,
    retryable: isRetryableStatus(status),
    retryAfterMs: retryAfterMs(headers),
  });
}

/** The field a vendor blames, from the error shapes seen across our vendors. */
export function fieldFromErrorBody(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ['field', 'propertyName', 'param', 'parameter']) if (typeof b[key] === 'string') return b[key] as string;
  const errors = b.errors;
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const found = fieldFromErrorBody(e) ?? fieldFromErrorBody((e as Record<string, unknown>)?.context);
      if (found) return found;
      // HubSpot puts property names in context: { propertyName: ["x"] }
      const ctx = (e as { context?: { propertyName?: unknown } })?.context?.propertyName;
      if (Array.isArray(ctx) && typeof ctx[0] === 'string') return ctx[0];
    }
  } else if (errors && typeof errors === 'object') {
    const first = Object.keys(errors)[0]; // Jira-style { errors: { fieldName: "message" } }
    if (first) return first;
  }
  if (b.error && typeof b.error === 'object') return fieldFromErrorBody(b.error);
  return undefined;
}

function messageFromErrorBody(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 300) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ['message', 'error_description', 'error', 'detail']) {
    if (typeof b[key] === 'string') return (b[key] as string).slice(0, 300);
  }
  if (Array.isArray(b.errorMessages) && typeof b.errorMessages[0] === 'string') return b.errorMessages[0];
  if (b.error && typeof b.error === 'object') return messageFromErrorBody(b.error);
  return undefined;
}

/** Removes secret values (header values such as tokens) from a text, in case a vendor echoes them back. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const part of [secret, ...secret.split(' ')]) if (part.length >= 8) out = out.split(part).join('[redacted]');
  }
  return out;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function buildUrl(baseUrl: string, path: string, query?: RequestOptions<unknown>['query']): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
  for (const [key, value] of Object.entries(query ?? {})) {
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
    else if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** Path without query string: queries may carry identifiers we'd rather not spread into histories. */
function pathOf(url: string): string {
  return new URL(url).pathname;
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}
