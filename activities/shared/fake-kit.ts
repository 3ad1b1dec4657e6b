/**
 * What every vendor fake shares: a fastify server on 127.0.0.1 port 0, a bearer/basic auth gate, a journal of
 * the requests it answered, injectable faults (status answers such as 429 with Retry-After or 500, and slow
 * answers), the generic `/__control` routes for those, and a helper to deliver webhooks.
 *
 * The vendor-specific parts (routes, state, seed data, error envelopes, webhook signing) live in each
 * system's `fake.ts`. Fakes are real HTTP servers so the official clients are exercised over sockets.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export interface JournalEntry {
  at: string;
  method: string;
  /** Path without query string. */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
}

/** Answer the next `times` vendor requests with a status (and optional Retry-After), or delay them. */
export type Fault =
  | { kind: 'status'; status: number; times?: number; retryAfterSeconds?: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'delay'; delayMs: number; times?: number };

export interface FakeKitOptions {
  /** True when the request carries valid credentials. */
  authorize(request: FastifyRequest): boolean;
  /** The vendor's own error envelope for a status (401, 429, 500, ...). */
  errorBody(status: number, message: string): unknown;
  /** Puts the fake back to its default seed; served as `POST /__control/reset`. */
  reset(): void;
}

export interface FakeKit {
  app: FastifyInstance;
  journal: JournalEntry[];
  injectFault(fault: Fault): void;
  /** Listens on 127.0.0.1 port 0; returns the origin, e.g. `http://127.0.0.1:41234`. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

const CONTROL_PREFIX = '/__control';

export function createFakeKit(options: FakeKitOptions): FakeKit {
  const app = Fastify({ logger: false });
  const journal: JournalEntry[] = [];
  const faults: Array<Fault & { remaining: number }> = [];
  const delays = new WeakMap<FastifyRequest, number>();

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith(CONTROL_PREFIX)) return;
    if (!options.authorize(request)) {
      return reply.code(401).send(options.errorBody(401, 'Authentication credentials not found or invalid.'));
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
    return reply.code(fault.status).send(fault.body ?? options.errorBody(fault.status, `injected fault ${fault.status}`));
  });

  // A slow answer, not a slow request: the work is done at once and only the answer waits, so a client that
  // gives up meanwhile leaves a change behind exactly as a real server would (the "lost answer" case).
  app.addHook('onSend', async (request) => {
    const delayMs = delays.get(request);
    if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs));
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith(CONTROL_PREFIX)) return;
    journal.push({
      at: new Date().toISOString(),
      method: request.method,
      path: request.url.split('?')[0],
      query: { ...(request.query as Record<string, unknown>) },
      body: request.body,
      status: reply.statusCode,
    });
  });

  const injectFault = (fault: Fault) => faults.push({ ...fault, remaining: fault.times ?? 1 });

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
    injectFault,
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('fake server has no TCP address');
      return `http://127.0.0.1:${address.port}`;
    },
    close: () => app.close(),
  };
}

/** Delivers a webhook the way vendors do: one POST with the raw body and the given headers. */
export async function deliverWebhook(url: string, rawBody: string, headers: Record<string, string>): Promise<{ status: number }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: rawBody });
  await response.arrayBuffer();
  return { status: response.status };
}
