/**
 * Reading and addressing running instances through a Temporal client, shared by the API and the tools:
 * listing through visibility (search attributes, one page at a time with Temporal's next-page token),
 * sending events idempotently, and cancelling with a reason that Temporal keeps in the history.
 */
import { type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { encodeToPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { createHash } from 'node:crypto';
import { cancelReasonUpdate, eventSignal, searchAttributes, type ExternalEvent } from '../workflows/messages';

/** Temporal's execution statuses, as the API names them. */
export const STATUSES = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
  'continued-as-new': 'ContinuedAsNew',
} as const;
export type InstanceStatus = keyof typeof STATUSES;

export interface InstanceFilter {
  process?: string;
  stage?: string;
  status?: InstanceStatus;
  /** Instances with an open task for this role. */
  role?: string;
  businessKey?: string;
  /** Instances whose next deadline falls before (or after) this instant. */
  deadlineBefore?: string;
  deadlineAfter?: string;
  /** Only instances with an open task past its due date (or, with false, only those without). */
  overdue?: boolean;
}

export interface InstanceSummary {
  workflowId: string;
  runId: string;
  process: string;
  version?: string;
  businessKey?: string;
  stage?: string;
  openTaskRoles: string[];
  nextDeadline?: string;
  /** When the longest-overdue open task fell due. */
  overdueSince?: string;
  status: InstanceStatus;
  startedAt: string;
  closedAt?: string;
}

/** A visibility query string literal: single quotes, with backslashes and quotes escaped. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The visibility query for a filter; only the project's own processes are listed. */
export function visibilityQuery(filter: InstanceFilter): string {
  const clauses = [`${searchAttributes.processName.name} IS NOT NULL`];
  if (filter.process) clauses.push(`${searchAttributes.processName.name} = ${literal(filter.process)}`);
  if (filter.stage) clauses.push(`${searchAttributes.stage.name} = ${literal(filter.stage)}`);
  if (filter.status) clauses.push(`ExecutionStatus = ${literal(STATUSES[filter.status])}`);
  if (filter.role) clauses.push(`${searchAttributes.openTaskRoles.name} = ${literal(filter.role)}`);
  if (filter.businessKey) clauses.push(`${searchAttributes.businessKey.name} = ${literal(filter.businessKey)}`);
  if (filter.deadlineBefore) clauses.push(`${searchAttributes.nextDeadline.name} < ${literal(filter.deadlineBefore)}`);
  if (filter.deadlineAfter) clauses.push(`${searchAttributes.nextDeadline.name} > ${literal(filter.deadlineAfter)}`);
  if (filter.overdue !== undefined) clauses.push(`${searchAttributes.overdueSince.name} ${filter.overdue ? 'IS NOT NULL' : 'IS NULL'}`);
  return clauses.join(' AND ');
}

const STATUS_BY_NAME: Record<string, InstanceStatus> = {
  RUNNING: 'running', COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled', TERMINATED: 'terminated', TIMED_OUT: 'timed-out', CONTINUED_AS_NEW: 'continued-as-new',
};

export function statusOf(info: Pick<WorkflowExecutionInfo, 'status'>): InstanceStatus {
  return STATUS_BY_NAME[info.status.name] ?? 'running';
}

export function summarize(info: WorkflowExecutionInfo): InstanceSummary {
  const attributes = info.typedSearchAttributes;
  const deadline = attributes.get(searchAttributes.nextDeadline);
  const overdueSince = attributes.get(searchAttributes.overdueSince);
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    process: attributes.get(searchAttributes.processName) ?? info.type,
    version: attributes.get(searchAttributes.processVersion),
    businessKey: attributes.get(searchAttributes.businessKey),
    stage: attributes.get(searchAttributes.stage),
    openTaskRoles: attributes.get(searchAttributes.openTaskRoles) ?? [],
    nextDeadline: deadline ? deadline.toISOString() : undefined,
    overdueSince: overdueSince ? overdueSince.toISOString() : undefined,
    status: statusOf(info),
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString(),
  };
}

/** One page of instances, newest first; pass `nextPageToken` back for the next page. */
export async function listInstances(
  client: Client,
  filter: InstanceFilter,
  page: { pageSize?: number; nextPageToken?: string } = {},
): Promise<{ instances: InstanceSummary[]; nextPageToken?: string }> {
  // The SDK's list iterates every page; this reads one through the service to hand its token to the caller.
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query: visibilityQuery(filter),
    pageSize: page.pageSize ?? 50,
    nextPageToken: page.nextPageToken ? Buffer.from(page.nextPageToken, 'base64url') : undefined,
  });
  const instances = await Promise.all(
    (response.executions ?? []).map(async (raw) => summarize(await executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, client.options.namespace))),
  );
  const token = response.nextPageToken?.length ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
  return { instances, nextPageToken: token };
}

/**
 * Sends an event; a `deliveryId` (e.g. a vendor's webhook delivery id) becomes the signal's request id,
 * which Temporal de-duplicates, so the same delivery sent twice reaches the instance once.
 */
export async function sendEvent(client: Client, workflowId: string, event: ExternalEvent, deliveryId?: string): Promise<void> {
  if (!deliveryId) return client.workflow.getHandle(workflowId).signal(eventSignal, event);
  await client.workflowService.signalWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId },
    signalName: eventSignal.name,
    input: { payloads: await encodeToPayloads(client.options.loadedDataConverter, event) },
    identity: client.options.identity,
    requestId: uuidFrom(`${workflowId}\n${deliveryId}`),
  });
}

/** Temporal request ids are UUID-shaped; this one is derived from the delivery so a retry reuses it. */
function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Cancels the instance: first tells it why and who asks (its audit trail ends with them), then asks
 * Temporal to cancel it, which also keeps both in the history's cancel-requested event (`cancellationOf`,
 * for instances started before they recorded it themselves). Both calls are idempotent, so a retry is safe.
 */
export async function cancelInstance(client: Client, workflowId: string, reason: string, by: string): Promise<void> {
  await client.workflow.getHandle(workflowId).executeUpdate(cancelReasonUpdate, {
    args: [{ reason, actor: { id: by } }],
    updateId: uuidFrom(`cancel-reason\n${workflowId}\n${reason}\n${by}`),
  });
  await client.workflowService.requestCancelWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId },
    identity: `${by} (ops API)`,
    reason,
    requestId: uuidFrom(`cancel\n${workflowId}\n${reason}\n${by}`),
  });
}

/** The cancel request recorded in an instance's history, if any. */
export async function cancellationOf(client: Client, workflowId: string): Promise<{ at: string; by: string; reason: string } | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  for (const event of history.events ?? []) {
    const requested = event.workflowExecutionCancelRequestedEventAttributes;
    if (!requested) continue;
    const seconds = Number(event.eventTime?.seconds ?? 0);
    return {
      at: new Date(seconds * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6)).toISOString(),
      by: (requested.identity ?? '').replace(/ \(ops API\)$/, ''),
      reason: requested.cause ?? '',
    };
  }
  return undefined;
}
