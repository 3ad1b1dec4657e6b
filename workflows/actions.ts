/**
 * How the interpreter calls activities: one place for their timeouts, and the business run every call
 * belongs to.
 *
 * Every call passes the chain's first run id as its second argument (`firstExecutionRunId`: the same in
 * every run after continue-as-new, different for a later instance that reuses the workflow id), so an
 * action's idempotency key (activities/shared/bind.ts) is unique to this business run and stable across its
 * retries and replays. Activities heartbeat while they run (bind.ts), so an attempt lost with its worker is
 * retried once HEARTBEAT_TIMEOUT passes without a beat, not when its start-to-close timeout runs out.
 *
 * Arguments and activity options are not part of Temporal's determinism check, so recorded histories of
 * instances scheduled without them replay unchanged.
 */
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { BusinessRun } from '../activities/shared/bind';

/** A worker killed mid-call is noticed after this long without a heartbeat, and the call retried. */
export const HEARTBEAT_TIMEOUT = '5 seconds';

/**
 * One API call's bound: an action makes up to three HTTP requests (look up, create, read back), each with
 * its connector's own 15-second timeout.
 */
export const API_CALL_TIMEOUT = '45 seconds';

/** One e-mail: the SMTP client's own connection and socket timeouts are 30 seconds. */
export const EMAIL_TIMEOUT = '40 seconds';

export type ActionCall = (input: unknown) => Promise<unknown>;

export function businessRun(): BusinessRun {
  return { firstRunId: workflowInfo().firstExecutionRunId };
}

/** Activities by action name, each called with the business run and heartbeat-watched. */
export function proxyActions(options: Partial<ActivityOptions> = {}): Record<string, ActionCall> {
  const activities = proxyActivities<Record<string, (input: unknown, run: BusinessRun) => Promise<unknown>>>({
    startToCloseTimeout: API_CALL_TIMEOUT,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    ...options,
  });
  return new Proxy({} as Record<string, ActionCall>, {
    get: (_, name) => (typeof name === 'string' ? (input: unknown) => activities[name](input, businessRun()) : undefined),
  });
}
