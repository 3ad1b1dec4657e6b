/**
 * Processes: which definitions can be started (with their input schemas), checking a definition text,
 * and starting an instance. A start is idempotent by business key: the workflow id is derived from it and
 * Temporal's workflow-id conflict policy decides atomically whether an instance is already running
 * (returned as it is, or 409 with `?onConflict=fail`).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { catalogue } from '../../activities';
import { definitionFiles } from '../../client/definitions';
import { InvalidInputError, START_REQUEST_MEMO, startProcess } from '../../client/processes';
import { compileAll, filesNeededBy } from '../../dsl/compile';
import { suggest, type DefinitionIssue as DefinitionIssueShape } from '../../dsl/issues';
import { WRITE, type ApiContext } from '../context';
import { ApiProblem, problemResponses } from '../problems';

const ProcessSummary = z
  .object({
    name: z.string(),
    version: z.number(),
    title: z.string(),
    hash: z.string().meta({ description: 'SHA-256 of the compiled definition: the exact version new instances run.' }),
    roles: z.record(z.string(), z.string()),
    input: z.record(z.string(), z.unknown()).optional().meta({ description: 'JSON Schema of the start input.' }),
  })
  .meta({ id: 'ProcessSummary' });

const DefinitionIssue = z.object({
  line: z.number().optional(),
  col: z.number().optional(),
  message: z.string(),
  hint: z.string().optional(),
  text: z.string().meta({ description: 'The problem as `file:line:col: message`, as the CLI prints it.' }),
});

export const StartedInstance = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    created: z.boolean().meta({ description: 'false when an instance with the same business key was already running and is returned instead.' }),
  })
  .meta({ id: 'StartedInstance' });

export function processRoutes(context: ApiContext): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    app.get('/processes', {
      schema: {
        operationId: 'listProcesses',
        summary: 'The processes that can be started, with their versions and input schemas',
        tags: ['processes'],
        response: { 200: z.object({ processes: z.array(ProcessSummary) }), ...problemResponses(401) },
      },
    }, async () => ({
      processes: [...context.registry.values()].map((d) => ({ name: d.process, version: d.version, title: d.title, hash: d.hash, roles: d.roles, input: d.input as Record<string, unknown> | undefined })),
    }));

    app.post('/definitions/validate', {
      schema: {
        operationId: 'validateDefinition',
        summary: 'Checks a definition text; every problem at once, with its line and column',
        tags: ['processes'],
        body: z.object({ text: z.string().min(1), file: z.string().default('definition.yaml') }),
        response: { 200: z.object({ ok: z.boolean(), process: z.string().optional(), version: z.number().optional(), issues: z.array(DefinitionIssue), warnings: z.array(DefinitionIssue) }), ...problemResponses(400, 401) },
      },
    }, async (request) => {
      const { text, file } = request.body;
      const present = (i: DefinitionIssueShape) => ({ line: i.line, col: i.col, message: i.message, hint: i.hint, text: `${file}${i.line === undefined ? '' : `:${i.line}:${i.col}`}: ${i.message}` });
      // Compiled with the shipped definitions, so a subprocess step may name one of them.
      const shipped = await Promise.all((await definitionFiles(context.definitionsDir)).map(async (f) => ({ file: f, text: await readFile(f, 'utf8') })));
      const others = shipped.filter((s) => path.basename(s.file) !== path.basename(file));
      const [result] = await compileAll(filesNeededBy({ file, text }, others), catalogue);
      return {
        ok: result.issues.length === 0,
        process: result.definition?.process,
        version: result.definition?.version,
        issues: result.issues.map(present),
        warnings: result.warnings.map(present),
      };
    });

    app.post('/processes/:process/instances', {
      config: WRITE,
      schema: {
        operationId: 'startInstance',
        summary: 'Starts an instance, or returns the one already running for the same business key',
        tags: ['instances'],
        params: z.object({ process: z.string() }),
        querystring: z.object({
          onConflict: z.enum(['use-existing', 'fail']).default('use-existing').meta({ description: '`fail` answers 409 when an instance with the same business key is running.' }),
        }),
        body: z.object({ input: z.record(z.string(), z.unknown()).default({}) }),
        response: { 200: StartedInstance, 201: StartedInstance, ...problemResponses(400, 401, 404, 409, 429) },
      },
    }, async (request, reply) => {
      const definition = context.registry.get(request.params.process);
      if (!definition) throw new ApiProblem('not-found', `unknown process '${request.params.process}'; ${suggest(request.params.process, [...context.registry.keys()], 'processes')}`);
      const requestId = randomUUID();
      let handle;
      try {
        handle = await startProcess(context.client, definition, request.body.input, {
          startedBy: { id: request.person.id },
          onConflict: request.query.onConflict,
          requestId,
        });
      } catch (error) {
        if (error instanceof InvalidInputError) {
          throw new ApiProblem('invalid-input', error.message, error.problems.map((p) => ({ field: `body.input${p.field === 'input' ? '' : `.${p.field}`}`, message: p.message })));
        }
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          throw new ApiProblem('conflict', `an instance with this business key is already running: ${error.workflowId}`);
        }
        throw error;
      }
      const described = await handle.describe();
      const created = described.memo?.[START_REQUEST_MEMO] === requestId;
      if (created) {
        request.log.info({ workflowId: handle.workflowId, runId: described.runId, process: definition.process, by: request.person.id }, 'instance started');
        request.server.metrics.instancesStarted.inc({ process: definition.process, via: 'api' });
      }
      return reply.code(created ? 201 : 200).send({ workflowId: handle.workflowId, runId: described.runId, created });
    });
  };
}
