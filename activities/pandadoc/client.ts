/**
 * The PandaDoc client the actions receive: the official `pandadoc-node-client` pointed at the configured
 * base URL, and the classification of what it throws. The generated client throws `ApiException {code,
 * body, headers}` for an HTTP answer; it has no retry of its own, so Temporal's retry is the only layer.
 *
 * PandaDoc's own rules that shape retries (PandaDoc API reference): creating a document is asynchronous
 * (`document.uploaded`, then `document.draft`), and sending before the draft exists answers 409, which
 * PandaDoc says to retry shortly ("Send Document"); 429 means the per-minute limit of the operation
 * ("Rate limits"). Error bodies are `{type, detail}` ("Erroneous request").
 */
import { ApiException, createConfiguration, DocumentsApi, ResponseContext, ServerConfiguration, TemplatesApi, type HttpLibrary, type RequestContext } from 'pandadoc-node-client';
import { from } from 'pandadoc-node-client/dist/rxjsStub';
import { ConnectorError, isRetryableStatus, isTransientNetworkError, retryAfterMs } from '../shared/errors';
import { fieldFromErrorBody, redact } from '../shared/http';
import type { PandaDocConfig } from './config';

export const SYSTEM = 'pandadoc';

/** Until the draft exists, a send is retried after this long when PandaDoc gives no Retry-After. */
const NOT_DRAFT_YET_RETRY_MS = 2_000;

export class PandaDocClient {
  readonly documents: DocumentsApi;
  readonly templates: TemplatesApi;
  private readonly secrets: string[];
  private readonly timeoutMs: number;

  constructor(config: PandaDocConfig) {
    this.timeoutMs = config.timeoutMs;
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration<Record<string, string>>(config.baseUrl.replace(/\/+$/, ''), {}),
      authMethods: { apiKey: `API-Key ${config.apiKey}` },
      httpApi: new TimedFetch(config.timeoutMs),
    });
    this.documents = new DocumentsApi(configuration);
    this.templates = new TemplatesApi(configuration);
    this.secrets = [config.apiKey];
  }

  /** Runs one SDK call and turns what fails into a ConnectorError. `request` names it for messages. */
  async call<T>(action: string, request: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw this.classify(err, action, request);
    }
  }

  private classify(err: unknown, action: string, request: string): ConnectorError {
    if (err instanceof ConnectorError) return err;
    if (!(err instanceof ApiException)) {
      // No HTTP answer: refused, reset or timed out (fetch's TypeError / TimeoutError). Anything else here is
      // an answer the SDK could not read, which another attempt will not cure.
      const retryable = isTransientNetworkError(err) || (err as Error)?.name === 'TypeError';
      const reason = (err as Error)?.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : describe(err);
      return new ConnectorError(SYSTEM, action, redact(`${request} failed: ${reason}`, this.secrets), { retryable });
    }
    const status = err.code;
    const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const detail = detailOf(body);
    const notDraftYet = status === 409 && request.startsWith('POST /public/v1/documents/{id}/send');
    const retryable = isRetryableStatus(status) || notDraftYet;
    return new ConnectorError(SYSTEM, action, redact(`${request} answered ${status}${detail ? `: ${detail}` : ''}`, this.secrets), {
      status,
      field: fieldFromErrorBody(body) ?? fieldOfDetail(body),
      retryable,
      retryAfterMs: retryAfterMs(err.headers ?? {}) ?? (notDraftYet ? NOT_DRAFT_YET_RETRY_MS : undefined),
    });
  }
}

/**
 * The SDK's transport with a time limit: its default node-fetch library waits forever, so this one sends
 * the same request through Node's fetch with a timeout.
 */
class TimedFetch implements HttpLibrary {
  constructor(private readonly timeoutMs: number) {}

  send(request: RequestContext) {
    const answer = fetch(request.getUrl(), {
      method: request.getHttpMethod().toString(),
      body: request.getBody() as string | undefined,
      headers: request.getHeaders(),
      signal: AbortSignal.timeout(this.timeoutMs),
    }).then(async (response) => {
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => { headers[name] = value; });
      const bytes = Buffer.from(await response.arrayBuffer());
      return new ResponseContext(response.status, headers, { text: async () => bytes.toString('utf8'), binary: async () => bytes });
    });
    return from(answer);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** PandaDoc's `detail` is a sentence, or an object of field → messages (`{recipients: ["..."]}`). */
function detailOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 300) || undefined;
  const b = (body ?? {}) as { type?: unknown; detail?: unknown; details?: unknown };
  const detail = b.detail ?? b.details;
  if (typeof detail === 'string') return detail.slice(0, 300);
  if (detail && typeof detail === 'object') {
    return Object.entries(detail).map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.join(' ') : String(messages)}`).join('; ').slice(0, 300);
  }
  return typeof b.type === 'string' ? b.type : undefined;
}

function fieldOfDetail(body: unknown): string | undefined {
  const detail = (body as { detail?: unknown; details?: unknown } | undefined)?.detail ?? (body as { details?: unknown } | undefined)?.details;
  if (!detail || typeof detail !== 'object') return undefined;
  const first = Object.keys(detail)[0];
  return first === 'non_field_errors' ? undefined : first;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}
