/**
 * What a verified delivery may do, shared by every vendor's route: start the process a route names (the
 * business key makes a repeated delivery find the instance it started), or send an event to a running
 * instance, de-duplicated by the vendor's delivery id. Nothing here trusts the delivery for identity.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { InvalidInputError, startProcess } from '../../client/processes';
import { sendEvent, statusOf } from '../../client/instances';
import type { CompiledDefinition } from '../../dsl/compile';
import { evaluate, resolveValue } from '../../dsl/expressions';
import type { WebhookRoute } from './routes-file';

export type Outcome =
  | { result: 'started'; workflowId: string; created: boolean }
  | { result: 'delivered'; workflowId: string; event: string }
  | { result: 'ignored'; reason: string };

export interface DeliveryContext {
  client: Client;
  registry: ReadonlyMap<string, CompiledDefinition>;
}

/** Runs one route for one vendor event; `deliveryId` is the vendor's id of this event. */
export async function follow(context: DeliveryContext, route: WebhookRoute | undefined, data: unknown, deliveryId: string, eventType: string): Promise<Outcome> {
  if (!route) return { result: 'ignored', reason: `no route for ${eventType}` };
  const scope = (data && typeof data === 'object' ? data : { value: data }) as Record<string, unknown>;
  // A route may name a process not shipped yet (the API warns at start-up): a genuine delivery, nothing to do.
  const process = 'start' in route ? route.start : route.process;
  if (!context.registry.has(process)) return { result: 'ignored', reason: `process not deployed: ${process}` };
  if ('start' in route) {
    const definition = context.registry.get(route.start)!;
    const input = (await resolveValue(route.input, scope)) as Record<string, unknown>;
    try {
      const handle = await startProcess(context.client, definition, input, { onConflict: 'use-existing', requestId: deliveryId });
      const described = await handle.describe();
      return { result: 'started', workflowId: handle.workflowId, created: described.memo?.startRequestId === deliveryId };
    } catch (error) {
      if (error instanceof InvalidInputError) return { result: 'ignored', reason: error.message };
      throw error;
    }
  }
  const key = await evaluate(route['business-key'].replace(/^=/, ''), scope);
  if (key === undefined || key === null || key === '') return { result: 'ignored', reason: `the delivery gives no business key for ${route.process}` };
  return deliverTo(context.client, `${route.process}/${String(key)}`, route.event, data, deliveryId);
}

/** Sends an event to a running instance; an instance that is not running is not an error of the vendor's. */
export async function deliverTo(client: Client, workflowId: string, event: string, payload: unknown, deliveryId: string): Promise<Outcome> {
  try {
    const described = await client.workflow.getHandle(workflowId).describe();
    if (statusOf(described) !== 'running') return { result: 'ignored', reason: `instance ${workflowId} is ${statusOf(described)}` };
    await sendEvent(client, workflowId, { name: event, payload }, deliveryId);
    return { result: 'delivered', workflowId, event };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { result: 'ignored', reason: `no instance ${workflowId}` };
    throw error;
  }
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The instance a connector's idempotency key, kept on the vendor's record, belongs to. The key is
 * `<workflow id>:<first run id>:<activity id>` (activities/shared/bind.ts), or `<workflow id>:<activity id>`
 * for a step scheduled before run ids were part of it.
 */
export function workflowIdOfKey(key: string | null): string | undefined {
  if (!key) return undefined;
  const activityAt = key.lastIndexOf(':');
  if (activityAt <= 0) return undefined;
  const rest = key.slice(0, activityAt);
  const runAt = rest.lastIndexOf(':');
  return runAt > 0 && RUN_ID.test(rest.slice(runAt + 1)) ? rest.slice(0, runAt) : rest;
}
