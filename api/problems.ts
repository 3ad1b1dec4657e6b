/**
 * Every error the API answers is an RFC 9457 problem (`application/problem+json`): a `type` from the
 * catalogue below, a `title`, the `status`, a `detail` saying what to do, and, for bad input, `errors`
 * naming each field at fault. Handlers throw `ApiProblem`; the error handler turns everything else
 * (schema validation, rate limits, body parsing) into the same shape.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** The catalogue: a code (the last part of `type`), its status and title. Codes are never reused. */
export const PROBLEMS = {
  'invalid-request': { status: 400, title: 'The request does not match the schema' },
  'invalid-input': { status: 400, title: 'The input does not match the process input schema' },
  'invalid-decision': { status: 400, title: 'The decision does not fit the task' },
  unauthenticated: { status: 401, title: 'Sign-in required' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'too-large': { status: 413, title: 'Upload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'temporal-unavailable': { status: 503, title: 'The Temporal server does not answer' },
  'identity-provider-unavailable': { status: 503, title: 'The identity provider does not answer' },
  'not-configured': { status: 503, title: 'Not configured on this server' },
  'vendor-unavailable': { status: 503, title: 'An external system the API reads from is busy or does not answer' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

export const PROBLEM_BASE = '/problems/';

export const FieldError = z.object({
  field: z.string().meta({ description: 'Where the problem is, e.g. `body.input.partnerKey` or `query.status`.' }),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

export const Problem = z
  .object({
    type: z.string().meta({ description: 'A URI reference naming the kind of problem, e.g. `/problems/invalid-input`.' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(FieldError).optional(),
    system: z.string().optional().meta({ description: 'For `vendor-unavailable`: the external system that was busy, e.g. `jotform`.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });
export type Problem = z.infer<typeof Problem>;

/** Thrown by route handlers: becomes the problem response with this code and detail. */
export class ApiProblem extends Error {
  override name = 'ApiProblem';
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** RFC 9457 extension members, e.g. `system` for `vendor-unavailable`. */
    readonly extensions?: Pick<Problem, 'system'>,
  ) {
    super(detail);
  }
}

export function problemBody(code: ProblemCode, detail: string, instance?: string, errors?: FieldError[], extensions?: Pick<Problem, 'system'>): Problem {
  const { status, title } = PROBLEMS[code];
  return { type: `${PROBLEM_BASE}${code}`, title, status, detail, ...(instance ? { instance } : {}), ...(errors?.length ? { errors } : {}), ...extensions };
}

export function sendProblem(reply: FastifyReply, code: ProblemCode, detail: string, request: FastifyRequest, errors?: FieldError[], extensions?: Pick<Problem, 'system'>) {
  return reply
    .code(PROBLEMS[code].status)
    .type('application/problem+json')
    .send(problemBody(code, detail, request.url.split('?')[0], errors, extensions));
}

/** The response schemas of a route's error answers, for the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, typeof Problem> {
  return Object.fromEntries(statuses.map((status) => [status, Problem.meta({ description: describeStatus(status) })]));
}

function describeStatus(status: number): string {
  const titles = Object.values(PROBLEMS).filter((p) => p.status === status).map((p) => p.title);
  return titles.join('; ') || 'Problem';
}

const STATUS_CODE: Record<number, ProblemCode> = { 400: 'invalid-request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 409: 'conflict', 413: 'too-large', 415: 'unsupported-media-type', 429: 'rate-limited' };

/** Installs the handlers that make every error and every unknown route a problem. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiProblem, request, reply) => {
    if (error instanceof ApiProblem) {
      if (error.headers) reply.headers(error.headers);
      return sendProblem(reply, error.code, error.detail, request, error.errors, error.extensions);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const part = error.validationContext ?? 'body';
      const errors = error.validation.map((issue) => ({
        field: [part, ...String(issue.instancePath ?? '').split('/').filter(Boolean)].join('.'),
        message: issue.message ?? 'is invalid',
      }));
      return sendProblem(reply, 'invalid-request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), request, errors);
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status === 429) return sendProblem(reply, 'rate-limited', error.message, request);
    if (status >= 400 && status < 500) {
      const code = STATUS_CODE[status] ?? 'invalid-request';
      return sendProblem(reply, code, error.message, request, code === 'invalid-request' ? [{ field: 'body', message: error.message }] : undefined);
    }
    if (isUnavailable(error)) {
      request.log.error({ err: error }, 'Temporal unavailable');
      return sendProblem(reply, 'temporal-unavailable', 'the Temporal server did not answer; try again shortly', request);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, 'internal', 'something went wrong on the server; it has been logged', request);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 'not-found', `no route ${request.method} ${request.url.split('?')[0]}`, request));
}

/** gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4) from the Temporal client. */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  return code === 14 || code === 4;
}
