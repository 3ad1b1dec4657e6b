/**
 * What every vendor fake shares: a fastify server on 127.0.0.1 port 0 that serves exactly the operations of
 * the vendor's contract (contract.ts), enforcing it on every request, plus a journal of the requests it
 * answered, injectable faults (429 with Retry-After, 5xx, slow answers), the generic `/__control` routes for
 * those, and a helper to deliver webhooks.
 *
 * Per request, in order: route by the contract (unknown path → 404, known path with another method → 405),
 * auth by the operation's scheme (→ 401), an injected fault if one is queued, then path parameters, query
 * names and body checked by the operation's zod schemas (→ 400 naming the field), then the fake's handler.
 * Every answer is checked against the operation's `response` schema or the contract's `errorShape`, and the
 * rate-limit headers the contract names must be present; a mismatch is journalled as a breach
 * (`kit.breaches()`), which the connector tests assert stays empty.
 *
 * The vendor-specific parts (state, seed data, webhook signing) live in each system's folder. Fakes are real
 * HTTP servers so the official clients are exercised over sockets.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseMultipart, type MultipartForm } from './multipart';
import { firstIssue, matchOperation, type Contract, type Operation } from './contract';

/** A fake of an external system, running on a loopback port for tests and the embedded default. */
export interface RunningFake {
  system: string;
  /** Base URL the connector's client is pointed at (for SMTP: `smtp://127.0.0.1:<port>`). */
  url: string;
  /** The environment variables that point this system's connector at the fake (README "Pointing it at real systems"). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface JournalEntry {
  at: string;
  method: string;
  /** Path without query string. */
  path: string;
  /** The contract operation the request was routed to, e.g. `notes.create`. */
  operation?: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
  /** The answer's body (parsed JSON when it was JSON). */
  response?: unknown;
  /** Where the answer broke the contract; tests assert there is none. */
  breach?: string;
}

/** Answer the next `times` vendor requests with a status (and optional Retry-After), or delay them. */
export type Fault =
  | { kind: 'status'; status: number; times?: number; retryAfterSeconds?: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'delay'; delayMs: number; times?: number };

/** Thrown by a fake's handler or store: answered with the contract's error shape. */
export class FakeError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string, readonly body?: unknown) {
    super(message);
  }
}

export interface ContractRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON or form body, or the MultipartForm of an upload. */
  body: unknown;
  headers: FastifyRequest['headers'];
  operation: Operation;
  raw: FastifyRequest;
}

export type Handler = (request: ContractRequest, reply: FastifyReply) => unknown | Promise<unknown>;

export interface FakeKitOptions {
  contract: Contract;
  /** Checks credentials of the operation's scheme; the kit has already parsed the header. */
  credentials: { bearer?: (token: string) => boolean; basic?: (user: string, password: string) => boolean };
  /** Puts the fake back to its default seed; served as `POST /__control/reset`. */
  reset(): void;
  /** Headers added to every contract answer (e.g. the vendor's rate-limit headers). */
  answerHeaders?: (operation: Operation, status: number) => Record<string, string>;
}

export interface FakeKit {
  app: FastifyInstance;
  journal: JournalEntry[];
  /** Answers of the fake that broke the contract, as `operation: problem`, since the fake started (resets keep them). */
  breaches(): string[];
  injectFault(fault: Fault): void;
  /** Serves one contract operation. Every operation must be served before `listen`. */
  handle(operationId: string, handler: Handler): void;
  /** Listens on 127.0.0.1 (`port`, default 0: any free port); returns the origin, e.g. `http://127.0.0.1:41234`. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

const CONTROL_PREFIX = '/__control';

declare module 'fastify' {
  interface FastifyContextConfig {
    operation?: Operation;
  }
}

export function createFakeKit(options: FakeKitOptions): FakeKit {
  const { contract } = options;
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024 });
  const journal: JournalEntry[] = [];
  const faults: Array<Fault & { remaining: number }> = [];
  /** The share of vendor requests answered with a random 429 or 503, and how many were. */
  const chaos = { rate: 0, answered: 0 };
  const delays = new WeakMap<FastifyRequest, number>();
  const answers = new WeakMap<FastifyRequest, { response?: unknown; breach?: string }>();
  const served = new Set<string>();
  /** Kept across journal resets, so a file's last check sees every breach of the file. */
  const breachLog: string[] = [];
  const operationOf = (request: FastifyRequest) => request.routeOptions.config?.operation;
  const vendorError = (reply: FastifyReply, status: number, message: string, field?: string) => reply.code(status).send(contract.error(status, message, field));

  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? '')));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const match = matchOperation(contract, request.method, path);
    if (match && 'methodNotAllowed' in match) return vendorError(reply, 405, `${request.method} is not allowed on ${path}`);
    return vendorError(reply, 404, `no such endpoint: ${request.method} ${path}`);
  });

  // A store's own error class may carry the vendor's full body (`status` and `body`), as FakeError may.
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof FakeError) return reply.code(error.status).send(error.body ?? contract.error(error.status, error.message, error.field));
    const carried = error as { status?: unknown; body?: unknown };
    if (typeof carried.status === 'number' && carried.body && typeof carried.body === 'object') return reply.code(carried.status).send(carried.body);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return vendorError(reply, status, (error as Error).message);
  });

  app.addHook('onRequest', async (request, reply) => {
    const operation = operationOf(request);
    if (!operation) return;
    const refusal = checkAuth(operation.auth ?? contract.auth.scheme, request.headers.authorization, options.credentials);
    if (refusal) return vendorError(reply, 401, refusal);
    // Chaos (`POST /__control/chaos`): a share of vendor requests answered 429 or 503 with Retry-After, at random.
    if (chaos.rate > 0 && Math.random() < chaos.rate) {
      chaos.answered++;
      const status = Math.random() < 0.5 ? 429 : 503;
      return reply.code(status).header('retry-after', '1').send(contract.error(status, `chaos: answered ${status}`));
    }
    const fault = faults[0];
    if (!fault) return;
    if (--fault.remaining <= 0) faults.shift();
    if (fault.kind === 'delay') {
      delays.set(request, fault.delayMs);
      return;
    }
    if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
    for (const [name, value] of Object.entries(fault.headers ?? {})) reply.header(name, value);
    return reply.code(fault.status).send(fault.body ?? contract.error(fault.status, `injected fault ${fault.status}`));
  });

  // Checked after the body is parsed: the documented path parameters, query names and body.
  app.addHook('preHandler', async (request, reply) => {
    const operation = operationOf(request);
    if (!operation) return;
    const problem = checkRequest(operation, request);
    if (problem) return vendorError(reply, problem.status, problem.message, problem.field);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const operation = operationOf(request);
    if (operation) {
      for (const [name, value] of Object.entries(options.answerHeaders?.(operation, reply.statusCode) ?? {})) {
        if (!reply.hasHeader(name)) reply.header(name, value);
      }
      answers.set(request, checkAnswer(contract, operation, reply, payload));
    }
    // A slow answer, not a slow request: the work is done at once and only the answer waits, so a client that
    // gives up meanwhile leaves a change behind exactly as a real server would (the "lost answer" case).
    const delayMs = delays.get(request);
    if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith(CONTROL_PREFIX)) return;
    const body = request.body && typeof request.body === 'object' && 'files' in (request.body as object) ? '[multipart]' : request.body;
    const answer = answers.get(request);
    if (answer?.breach) breachLog.push(`${operationOf(request)?.id ?? request.url}: ${answer.breach}`);
    journal.push({
      at: new Date().toISOString(),
      method: request.method,
      path: request.url.split('?')[0],
      operation: operationOf(request)?.id,
      query: { ...(request.query as Record<string, unknown>) },
      body,
      status: reply.statusCode,
      ...answers.get(request),
    });
  });

  const injectFault = (fault: Fault) => faults.push({ ...fault, remaining: fault.times ?? 1 });
  app.post(`${CONTROL_PREFIX}/chaos`, async (request: FastifyRequest<{ Body: { rate?: number } }>) => {
    chaos.rate = Math.min(1, Math.max(0, Number(request.body?.rate ?? 0)));
    return { rate: chaos.rate, answered: chaos.answered };
  });

  app.get(`${CONTROL_PREFIX}/journal`, async () => ({ entries: journal }));
  app.post(`${CONTROL_PREFIX}/faults`, async (request: FastifyRequest<{ Body: Fault }>, reply: FastifyReply) => {
    injectFault(request.body);
    return reply.code(204).send();
  });
  app.post(`${CONTROL_PREFIX}/reset`, async (_request, reply: FastifyReply) => {
    options.reset();
    return reply.code(204).send();
  });

  return {
    app,
    journal,
    breaches: () => [...breachLog],
    injectFault,
    handle(operationId, handler) {
      const operation = contract.operations.find((o) => o.id === operationId);
      if (!operation) throw new Error(`${contract.system} contract has no operation ${operationId}`);
      served.add(operationId);
      app.route({
        method: operation.method,
        url: `${contract.basePath ?? ''}${operation.path}`.replace(/\{(\w+)\}/g, ':$1'),
        config: { operation },
        handler: async (request, reply) => {
          const result = await handler(
            { params: request.params as Record<string, string>, query: request.query as Record<string, string>, body: request.body, headers: request.headers, operation, raw: request },
            reply,
          );
          if (reply.sent) return reply;
          return reply.code(operation.status ?? 200).send(result);
        },
      });
    },
    async listen(port = 0) {
      const unserved = contract.operations.filter((o) => !served.has(o.id)).map((o) => o.id);
      if (unserved.length) throw new Error(`${contract.system} fake does not serve contract operations: ${unserved.join(', ')}`);
      await app.listen({ host: '127.0.0.1', port });
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('fake server has no TCP address');
      return `http://127.0.0.1:${address.port}`;
    },
    close: () => app.close(),
  };
}

function checkAuth(scheme: Contract['auth']['scheme'], header: string | undefined, credentials: FakeKitOptions['credentials']): string | undefined {
  if (scheme === 'none') return undefined;
  const [kind, value = ''] = (header ?? '').split(/\s+/, 2);
  if (scheme === 'bearer') {
    if (kind?.toLowerCase() !== 'bearer' || !value) return 'Authentication credentials not found: a Bearer token is required.';
    return credentials.bearer?.(value) ? undefined : 'The access token is invalid or expired.';
  }
  if (kind?.toLowerCase() !== 'basic' || !value) return 'Authentication credentials not found: HTTP Basic is required.';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'Malformed Basic credentials.';
  return credentials.basic?.(decoded.slice(0, colon), decoded.slice(colon + 1)) ? undefined : 'Authentication credentials are invalid.';
}

function checkRequest(operation: Operation, request: FastifyRequest): { status: number; message: string; field?: string } | undefined {
  if (operation.params) {
    const parsed = operation.params.safeParse(request.params);
    if (!parsed.success) return { status: 404, ...firstIssue(parsed.error, 'path') };
  }
  const query = operation.query ?? emptyQuery;
  const parsedQuery = query.strict().safeParse(request.query ?? {});
  if (!parsedQuery.success) return { status: 400, ...firstIssue(parsedQuery.error, 'query') };
  const contentType = String(request.headers['content-type'] ?? '');
  if (operation.bodyType === 'multipart' && !contentType.startsWith('multipart/form-data')) {
    return { status: 415, message: 'the body must be multipart/form-data' };
  }
  if (operation.bodyType === 'form' && !contentType.startsWith('application/x-www-form-urlencoded')) {
    return { status: 415, message: 'the body must be application/x-www-form-urlencoded' };
  }
  if (operation.body) {
    const parsed = operation.body.safeParse(request.body);
    if (!parsed.success) return { status: 400, ...firstIssue(parsed.error, 'body') };
  }
  return undefined;
}

const emptyQuery = z.object({});

function checkAnswer(contract: Contract, operation: Operation, reply: FastifyReply, payload: unknown): { response?: unknown; breach?: string } {
  let response: unknown = payload;
  if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').includes('json')) {
    try {
      response = JSON.parse(payload);
    } catch {
      return { response: payload, breach: 'answer is not valid JSON' };
    }
  }
  const status = reply.statusCode;
  const schema = status >= 400 ? contract.errorShape : operation.response;
  if (schema) {
    const parsed = schema.safeParse(response);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { response, breach: `${status} answer at "${issue?.path.join('.')}": ${issue?.message}` };
    }
  }
  const rate = contract.rateLimit;
  if (rate && operation.rateLimitHeaders !== false && (rate.on === 'every-answer' || status === 429)) {
    const missing = rate.headers.filter((h) => !reply.hasHeader(h));
    if (missing.length) return { response, breach: `${status} answer lacks rate-limit headers ${missing.join(', ')}` };
  }
  return { response };
}

/** Delivers a webhook the way vendors do: one POST with the raw body and the given headers. */
export async function deliverWebhook(url: string, rawBody: string, headers: Record<string, string>): Promise<{ status: number }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: rawBody });
  await response.arrayBuffer();
  return { status: response.status };
}

export type { MultipartForm };
