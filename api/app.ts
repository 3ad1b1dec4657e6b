/**
 * The API application: built by `buildApi` (tests call it and `inject` or `listen`), served by
 * `api/server.ts`. One encapsulated plugin per route group; sign-in is a plugin that decorates every
 * request with the person; the OpenAPI 3.1 document is generated from the routes' zod schemas and served
 * at `/openapi.json`.
 */
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiKeyStore } from './identity/api-keys';
import type { OidcVerifier } from './identity/oidc';
import { ApiProblem, installProblemHandlers, PROBLEMS } from './problems';
import { codecRoutes, type CodecSettings } from './routes/codec';
import { instanceRoutes } from './routes/instances';
import { processRoutes } from './routes/processes';
import { taskRoutes } from './routes/tasks';
import { inboxRoutes } from '../inbox';
import { signIn } from './sign-in';
import { webhookRoutes, type WebhookSettings } from './webhooks';
import type { ApiContext } from './context';
import { checkReadiness } from '../telemetry/health';
import { apiMetrics, type ApiMetrics } from '../telemetry/metrics';
import { TASK_QUEUE } from '../worker';

declare module 'fastify' {
  interface FastifyInstance {
    /** The product's metrics (telemetry/metrics.ts), counted by the routes, served at /metrics. */
    metrics: ApiMetrics;
  }
}

export interface ApiOptions extends ApiContext {
  keys: ApiKeyStore;
  oidc?: OidcVerifier;
  /** Write requests allowed per credential per minute (OPS_API_RATE_LIMIT, default 120). */
  writesPerMinute: number;
  webhooks: WebhookSettings;
  /** The codec server for Temporal's web UI; without keys its endpoints answer 503. */
  codec?: CodecSettings;
  logger?: FastifyServerOptions['logger'];
  /** A pino logger of the product's (telemetry/logger.ts), instead of `logger`. */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
  /** Default: fresh metrics of this app's own (tests build several apps in one process). */
  metrics?: ApiMetrics;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    // Uploads go through multipart; JSON bodies stay small.
    bodyLimit: 1024 * 1024,
    // Lets callers put a workflow id such as `process/key` in one path segment as `process%2Fkey`.
    routerOptions: { maxParamLength: 500 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installProblemHandlers(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Partner operations process engine',
        version: '1.0.0',
        description: 'Start processes, follow instances and decide tasks. Every error is an RFC 9457 problem (application/problem+json).',
        license: { name: 'UNLICENSED', identifier: 'LicenseRef-UNLICENSED' },
      },
      servers: [{ url: '/', description: 'This server' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`ops_...`, from `npm run cli -- keys issue <person>`) or an OpenID Connect token.' },
        },
      },
      security: [{ bearer: [] }],
      tags: [
        { name: 'processes', description: 'The definitions that can be started' },
        { name: 'instances', description: 'Running and finished process instances' },
        { name: 'tasks', description: 'Human tasks: mine, deciding them, files for their forms' },
        { name: 'webhooks', description: 'Deliveries from the external systems, verified by their signatures' },
        { name: 'codec', description: "Payload codec server for Temporal's web UI: decrypts what instances keep in history, for signed-in people" },
        { name: 'meta', description: 'What the problem types mean' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => withoutUnusedSchemas(jsonSchemaTransformObject(input) as OpenApiDocument) as ReturnType<typeof jsonSchemaTransformObject>,
  });

  await app.register(rateLimit, {
    global: false,
    max: options.writesPerMinute,
    timeWindow: 60_000,
    // After sign-in, so that limits count per credential rather than per address.
    hook: 'preHandler',
    keyGenerator: (request) => request.person?.credential ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new ApiProblem('rate-limited', `at most ${context.max} write requests per minute per key; retry in ${Math.ceil(context.ttl / 1000)} s`, undefined, {
        'retry-after': String(Math.ceil(context.ttl / 1000)),
      }),
  });

  // Only the inbox's session cookie is read; nothing is signed with a server secret.
  await app.register(cookie);
  const codec = options.codec ?? { uiOrigins: [] };
  await app.register(signIn, { directory: options.directory, keys: options.keys, oidc: options.oidc, uiOrigins: codec.uiOrigins });

  app.get('/openapi.json', {
    config: { public: true },
    schema: { hide: true },
  }, async () => app.swagger() as unknown as Record<string, unknown>);

  app.get('/health', {
    config: { public: true },
    schema: { hide: true },
  }, async () => ({ ok: true }));

  // For orchestrators (telemetry/health.ts). While the app closes (SIGTERM), Fastify answers 503 by itself.
  app.decorate('metrics', options.metrics ?? apiMetrics(() => overdueByProcess(options)));
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const readiness = await checkReadiness(options.client.connection, options.client.options.namespace, [await pollers(options)]);
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics()));

  app.get('/problems/:code', {
    config: { public: true },
    schema: {
      operationId: 'problemType',
      summary: 'What a problem type means',
      tags: ['meta'],
      security: [],
      params: z.object({ code: z.string() }),
      response: { 200: z.object({ type: z.string(), status: z.number(), title: z.string() }), 404: z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() }) },
    },
  }, async (request) => {
    const problem = PROBLEMS[request.params.code as keyof typeof PROBLEMS];
    if (!problem) throw new ApiProblem('not-found', `no problem type '${request.params.code}'`);
    return { type: `/problems/${request.params.code}`, ...problem };
  });

  await app.register(processRoutes(options));
  await app.register(instanceRoutes(options));
  await app.register(taskRoutes(options));
  await app.register(webhookRoutes(options, options.webhooks), { prefix: '/webhooks' });
  await app.register(inboxRoutes(options));
  await app.register(codecRoutes(codec), { prefix: '/codec' });
  await app.ready();
  return app;
}

/** Whether any worker polls the task queue: reported, not required (an API serves reads while workers roll). */
async function pollers(options: ApiOptions): Promise<{ name: string; ok: boolean; detail: string }> {
  try {
    const answer = await options.client.connection.workflowService.describeTaskQueue({
      namespace: options.client.options.namespace,
      taskQueue: { name: TASK_QUEUE },
      taskQueueType: 1, // workflow
    });
    const count = answer.pollers?.length ?? 0;
    return { name: 'workers', ok: true, detail: count ? `${count} polling task queue '${TASK_QUEUE}'` : `none polling task queue '${TASK_QUEUE}': instances wait until one does` };
  } catch (error) {
    return { name: 'workers', ok: true, detail: `not known: ${(error as Error).message}` };
  }
}

/** Per process, running instances with an open task past due (the OverdueSince search attribute). */
async function overdueByProcess(options: ApiOptions): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const process of options.registry.keys()) {
    const answer = await options.client.workflow.count(`ProcessName = '${process}' AND ExecutionStatus = 'Running' AND OverdueSince IS NOT NULL`);
    counts[process] = answer.count;
  }
  return counts;
}

type OpenApiDocument = { components?: { schemas?: Record<string, unknown> } } & Record<string, unknown>;

/**
 * The zod provider registers an input and an output variant of every named schema; drop the ones no
 * route refers to, so the document lists only what the API uses.
 */
function withoutUnusedSchemas(document: OpenApiDocument): OpenApiDocument {
  const schemas = document.components?.schemas;
  if (!schemas) return document;
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/components/schemas/')) {
        const name = inner.slice('#/components/schemas/'.length);
        if (!used.has(name)) {
          used.add(name);
          visit(schemas[name]);
        }
      } else visit(inner);
    }
  };
  visit({ ...document, components: { ...document.components, schemas: {} } });
  return { ...document, components: { ...document.components, schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name))) } };
}
