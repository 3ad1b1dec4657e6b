/**
 * Instances: listing them through Temporal visibility (filters, one page at a time), one instance's
 * stage, open tasks, deadlines and audit trail, sending it an event (by id or by business key), and
 * cancelling it with a reason.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cancelInstance, cancellationOf, listInstances, sendEvent, STATUSES, statusOf } from '../../client/instances';
import { stateQuery, type InstanceState } from '../../workflows/messages';
import { WRITE, type ApiContext } from '../context';
import { ApiProblem, problemResponses } from '../problems';
import { InstanceSummarySchema, InstanceViewSchema, StatusSchema, WorkflowIdParams } from '../schemas';

const EventBody = z.object({
  name: z.string().min(1).meta({ description: 'The event a `wait-for:` step waits for, e.g. `document-signed`.' }),
  payload: z.unknown().optional(),
});

const Accepted = z.object({ workflowId: z.string(), accepted: z.literal(true) });

/** Reads an instance or answers 404; closed instances are read too (their state is replayed). */
export async function readInstance(client: Client, workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  let described;
  try {
    described = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new ApiProblem('not-found', `no instance '${workflowId}'`);
    throw error;
  }
  const state: InstanceState = await handle.query(stateQuery, { at: new Date().toISOString() });
  return { handle, described, state };
}

export function instanceRoutes(context: ApiContext): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    app.get('/instances', {
      schema: {
        operationId: 'listInstances',
        summary: 'Lists instances, newest first, filtered by process, stage, status, open role, business key, deadline or overdue work',
        tags: ['instances'],
        querystring: z.object({
          process: z.string().optional(),
          stage: z.string().optional(),
          status: StatusSchema.optional().meta({ description: `One of ${Object.keys(STATUSES).join(', ')}.` }),
          role: z.string().optional().meta({ description: 'Only instances with an open task for this role.' }),
          businessKey: z.string().optional(),
          deadlineBefore: z.iso.datetime({ offset: true }).optional().meta({ description: 'Next deadline before this instant (ISO 8601).' }),
          deadlineAfter: z.iso.datetime({ offset: true }).optional(),
          overdue: z.enum(['true', 'false']).transform((value) => value === 'true').optional().meta({ description: 'true: only instances with an open task past its due date; false: only those without.' }),
          pageSize: z.coerce.number().int().min(1).max(500).default(50),
          nextPageToken: z.string().optional().meta({ description: 'From the previous page, to read the next one.' }),
        }),
        response: { 200: z.object({ instances: z.array(InstanceSummarySchema), nextPageToken: z.string().optional() }), ...problemResponses(400, 401) },
      },
    }, async (request) => {
      const { pageSize, nextPageToken, ...filter } = request.query;
      return listInstances(context.client, filter, { pageSize, nextPageToken });
    });

    app.get('/instances/:workflowId', {
      schema: {
        operationId: 'getInstance',
        summary: "One instance: stage, open tasks, deadlines (time left, breached), variables and audit trail",
        tags: ['instances'],
        params: WorkflowIdParams,
        response: { 200: InstanceViewSchema, ...problemResponses(401, 404) },
      },
    }, async (request) => {
      const { workflowId } = request.params;
      const { described, state } = await readInstance(context.client, workflowId);
      const status = statusOf(described);
      const audit = [...state.audit];
      let outcome = state.status;
      let reason = state.reason;
      if (status === 'cancelled' && state.status === 'running') {
        // Instances older than the cancel-reason update did not record their cancel: the history did.
        const cancelled = await cancellationOf(context.client, workflowId);
        outcome = 'cancelled';
        reason = cancelled?.reason;
        if (cancelled) audit.push({ at: cancelled.at, event: 'ended', actor: cancelled.by, outcome: 'cancelled', detail: cancelled.reason });
      }
      return {
        workflowId,
        runId: described.runId,
        process: state.process,
        version: state.version,
        businessKey: state.businessKey,
        status,
        outcome,
        reason,
        stage: state.stage,
        openTasks: status === 'running' ? state.openTasks : [],
        deadlines: state.deadlines,
        variables: state.variables,
        audit,
      };
    });

    app.post('/instances/:workflowId/events', {
      config: WRITE,
      schema: {
        operationId: 'sendEvent',
        summary: 'Sends an event to an instance (for its `wait-for:` steps; kept if it arrives early)',
        tags: ['instances'],
        params: WorkflowIdParams,
        body: EventBody,
        response: { 202: Accepted, ...problemResponses(400, 401, 404, 409, 429) },
      },
    }, async (request, reply) => {
      const { workflowId } = request.params;
      await deliver(context.client, workflowId, request.body);
      request.log.info({ workflowId, event: request.body.name, by: request.person.id }, 'event sent');
      return reply.code(202).send({ workflowId, accepted: true as const });
    });

    app.post('/events', {
      config: WRITE,
      schema: {
        operationId: 'sendEventByBusinessKey',
        summary: 'Sends an event to the running instance of a process with this business key',
        tags: ['instances'],
        body: EventBody.extend({ process: z.string().min(1), businessKey: z.string().min(1) }),
        response: { 202: Accepted, ...problemResponses(400, 401, 404, 409, 429) },
      },
    }, async (request, reply) => {
      const { process, businessKey, ...event } = request.body;
      if (!context.registry.has(process)) throw new ApiProblem('not-found', `unknown process '${process}'`, [{ field: 'body.process', message: 'is not a known process' }]);
      // The workflow id is derived from the business key at start, so no visibility lookup (and no lag).
      const workflowId = `${process}/${businessKey}`;
      await deliver(context.client, workflowId, event);
      request.log.info({ workflowId, event: event.name, by: request.person.id }, 'event sent');
      return reply.code(202).send({ workflowId, accepted: true as const });
    });

    app.post('/instances/:workflowId/cancel', {
      config: WRITE,
      schema: {
        operationId: 'cancelInstance',
        summary: 'Cancels a running instance; its audit trail ends with the reason and who asked',
        tags: ['instances'],
        params: WorkflowIdParams,
        body: z.object({ reason: z.string().trim().min(3).meta({ description: 'Why it is cancelled, for the audit trail.' }) }),
        response: { 202: Accepted, ...problemResponses(400, 401, 404, 409, 429) },
      },
    }, async (request, reply) => {
      const { workflowId } = request.params;
      await ensureRunning(context.client, workflowId);
      await cancelInstance(context.client, workflowId, request.body.reason, request.person.id);
      request.log.info({ workflowId, by: request.person.id, reason: request.body.reason }, 'instance cancel requested');
      return reply.code(202).send({ workflowId, accepted: true as const });
    });
  };
}

async function ensureRunning(client: Client, workflowId: string): Promise<void> {
  try {
    const described = await client.workflow.getHandle(workflowId).describe();
    if (statusOf(described) !== 'running') throw new ApiProblem('conflict', `instance '${workflowId}' is ${statusOf(described)}, no longer running`);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new ApiProblem('not-found', `no instance '${workflowId}'`);
    throw error;
  }
}

async function deliver(client: Client, workflowId: string, event: { name: string; payload?: unknown }, deliveryId?: string): Promise<void> {
  await ensureRunning(client, workflowId);
  try {
    await sendEvent(client, workflowId, { name: event.name, payload: event.payload }, deliveryId);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || (error as { code?: number }).code === 5) throw new ApiProblem('conflict', `instance '${workflowId}' is no longer running`);
    throw error;
  }
}
