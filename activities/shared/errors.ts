/**
 * How connector failures become Temporal retry decisions. Temporal's activity retry is the only retry
 * layer, so every failure leaving an action is an ApplicationFailure that says whether to retry and, for
 * rate limits, after how long.
 */
import { ApplicationFailure } from '@temporalio/common';

/**
 * Thrown by connector clients when an external system answers with an error or cannot be reached.
 * Carries what a person needs to act on it: the system, the action, the HTTP status and the field at fault.
 * Its message never contains credentials.
 */
export class ConnectorError extends Error {
  constructor(
    readonly system: string,
    readonly action: string,
    message: string,
    readonly details: {
      status?: number;
      field?: string;
      retryable: boolean;
      /** From Retry-After or a vendor's rate-limit headers. */
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    // Actions are named `<system>.<verb>`, which already says which system answered.
    super(`${action.startsWith(`${system}.`) ? action : `${system} ${action}`}: ${message}`);
    this.name = 'ConnectorError';
  }
}

/** Statuses worth another attempt: timeouts, "too early", rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Reads the delay a server asked for: `Retry-After` as seconds or an HTTP date, else a vendor header
 * giving milliseconds or seconds until reset. Returns undefined when none is present.
 */
export function retryAfterMs(headers: Headers | Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const get = (name: string): string | undefined => {
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : record[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const retryAfter = get('retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  // HubSpot rarely sends Retry-After; its rolling window's size says how long a 429 lasts at most.
  const intervalMs = get('x-hubspot-ratelimit-interval-milliseconds');
  if (intervalMs !== undefined && Number.isFinite(Number(intervalMs))) return Number(intervalMs);
  const reset = get('x-ratelimit-reset');
  if (reset !== undefined && Number.isFinite(Number(reset))) {
    const value = Number(reset);
    // Either seconds until reset or an epoch timestamp in seconds.
    return value > 1e9 ? Math.max(0, value * 1000 - now) : value * 1000;
  }
  // Jira sends X-RateLimit-Reset as an ISO 8601 time, often without Retry-After (Atlassian "Rate limiting").
  if (reset !== undefined && !Number.isNaN(Date.parse(reset))) return Math.max(0, Date.parse(reset) - now);
  return undefined;
}

/** Network-level failures (no HTTP answer) that a retry may cure. */
export function isTransientNetworkError(err: unknown): boolean {
  const code = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNABORTED']
    .includes(code ?? '') || (err as Error)?.name === 'AbortError' || (err as Error)?.name === 'TimeoutError';
}

/** Turns a ConnectorError into the ApplicationFailure Temporal acts on. Other errors pass through unchanged. */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof ConnectorError)) return err;
  return ApplicationFailure.create({
    message: err.message,
    type: err.details.retryable ? 'ConnectorRetryableError' : 'ConnectorError',
    nonRetryable: !err.details.retryable,
    nextRetryDelay: err.details.retryAfterMs,
    details: [{ system: err.system, action: err.action, status: err.details.status, field: err.details.field }],
  });
}
