/**
 * Turns what jira.js v5 throws into ConnectorErrors. jira.js wraps axios: an HTTP answer arrives as an
 * HttpException whose `cause` is the AxiosError (status, headers, Jira's `{errorMessages, errors}` body);
 * no answer at all arrives as the bare AxiosError with a network code. The raw errors carry the request
 * configuration, Authorization header included, so they are never kept as a cause.
 */
import { ConnectorError, isRetryableStatus, isTransientNetworkError, retryAfterMs } from '../shared/errors';
import { redact } from '../shared/http';

export const SYSTEM = 'jira';

interface AxiosLikeError {
  isAxiosError: true;
  code?: string;
  message: string;
  response?: { status: number; headers: unknown; data: unknown };
}

function axiosErrorIn(err: unknown): AxiosLikeError | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { isAxiosError?: boolean }).isAxiosError) return e as AxiosLikeError;
  }
  return undefined;
}

/** Jira's error body: `errorMessages` for the request as a whole, `errors` keyed by field id. */
function jiraErrorBody(data: unknown): { messages: string[]; fields: Record<string, string> } {
  const body = (data && typeof data === 'object' ? data : {}) as { errorMessages?: unknown; errors?: unknown };
  const messages = Array.isArray(body.errorMessages) ? body.errorMessages.filter((m): m is string => typeof m === 'string') : [];
  const fields: Record<string, string> = {};
  if (body.errors && typeof body.errors === 'object') {
    for (const [field, message] of Object.entries(body.errors)) fields[field] = String(message);
  }
  if (typeof data === 'string' && data.trim() !== '' && messages.length === 0) messages.push(data.slice(0, 300));
  return { messages, fields };
}

export interface JiraErrorContext {
  /** The action at fault, e.g. `jira.createTask`. */
  action: string;
  /** What was attempted, e.g. `POST /rest/api/3/issue`. */
  request: string;
  /** Secrets to scrub from any text that reaches the message. */
  secrets: string[];
  /** Human name of a field id (`customfield_10041` → `Configuration Date`), when known. */
  fieldName?: (id: string) => string | undefined;
}

export function toJiraError(err: unknown, context: JiraErrorContext): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const { action, request, secrets } = context;
  const axiosError = axiosErrorIn(err);
  const response = axiosError?.response;
  if (!response) {
    const code = axiosError?.code ?? (err as { code?: string })?.code;
    // No answer: a timeout (ECONNABORTED), a refused or reset connection. A retry may cure it; a create whose
    // answer was lost is reconciled by the idempotency label before anything is created again.
    const retryable = isTransientNetworkError(err) || isTransientNetworkError(axiosError) || code === 'ETIMEDOUT' || code === 'ERR_NETWORK';
    const reason = code ?? (err as Error)?.message ?? String(err);
    return new ConnectorError(SYSTEM, action, redact(`${request} failed: ${reason}`, secrets), { retryable });
  }

  const { status } = response;
  const { messages, fields } = jiraErrorBody(response.data);
  const fieldIds = Object.keys(fields);
  const describeField = (id: string) => {
    const name = context.fieldName?.(id);
    return name && name !== id ? `"${name}" (${id})` : `"${id}"`;
  };
  const parts = [
    `${request} answered ${status}`,
    status === 401 ? 'credentials rejected (check JIRA_EMAIL and JIRA_API_TOKEN)' : undefined,
    ...fieldIds.map((id) => `field ${describeField(id)}: ${fields[id]}`),
    ...messages,
  ].filter(Boolean);
  const field = fieldIds[0] === undefined ? undefined : (context.fieldName?.(fieldIds[0]) ?? fieldIds[0]);
  return new ConnectorError(SYSTEM, action, redact(parts.join('; '), secrets), {
    status,
    field,
    retryable: isRetryableStatus(status),
    retryAfterMs: retryAfterMs(plainHeaders(response.headers)),
  });
}

/** axios gives an AxiosHeaders object; retryAfterMs wants a plain record. */
function plainHeaders(headers: unknown): Record<string, string> {
  const source = headers && typeof (headers as { toJSON?: unknown }).toJSON === 'function'
    ? (headers as { toJSON(): Record<string, unknown> }).toJSON()
    : ((headers ?? {}) as Record<string, unknown>);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) if (value !== undefined && value !== null) out[name] = String(value);
  return out;
}
