/**
 * Turns connector actions into Temporal activities: the input is parsed with the action's zod schema
 * (a mismatch fails at once, without retry), the idempotency key is derived from the business run, the
 * workflow id and the activity id (stable across retries, replays and continue-as-new), the activity
 * heartbeats while it runs, and connector errors become retry decisions.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Action } from './action';
import { toActivityFailure } from './errors';

/**
 * The business run a call belongs to, passed by the workflow as every action's second argument
 * (workflows/actions.ts): the first run id of the workflow's continue-as-new chain.
 */
export interface BusinessRun {
  firstRunId: string;
}

export type ActivityFunction = (input: unknown, run?: BusinessRun) => Promise<unknown>;

/**
 * How often a running activity heartbeats, as a share of its heartbeat timeout. The SDK sends at most one
 * heartbeat per 0.8 × timeout; beating more often than that only keeps the latest details fresh.
 */
const BEATS_PER_TIMEOUT = 3;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bindActions<Client>(actions: readonly Action<Client, any, any>[], client: Client): Record<string, ActivityFunction> {
  const activities: Record<string, ActivityFunction> = {};
  for (const action of actions) {
    activities[action.name] = async (input, run) => {
      const parsed = action.input.safeParse(input);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue: { path: PropertyKey[]; message: string }) => `${issue.path.map(String).join('.') || 'input'}: ${issue.message}`);
        throw ApplicationFailure.nonRetryable(`${action.name}: invalid arguments: ${problems.join('; ')}`, 'InvalidArguments');
      }
      const context = Context.current();
      const { workflowExecution, activityId, heartbeatTimeoutMs, heartbeatDetails } = context.info;
      // A lost attempt's checkpoint is carried forward until this attempt records its own, so a third
      // attempt still learns what the first one did.
      let checkpoint: unknown = heartbeatDetails;
      const beat = heartbeatTimeoutMs ? setInterval(() => context.heartbeat(checkpoint), Math.max(200, heartbeatTimeoutMs / BEATS_PER_TIMEOUT)) : undefined;
      try {
        return await action.run(client, parsed.data, {
          idempotencyKey: idempotencyKey(workflowExecution?.workflowId, run, activityId),
          signal: context.cancellationSignal,
          attempt: context.info.attempt,
          previous: heartbeatDetails,
          checkpoint(details) {
            checkpoint = details;
            context.heartbeat(details);
          },
        });
      } catch (err) {
        throw toActivityFailure(err);
      } finally {
        clearInterval(beat);
      }
    };
  }
  return activities;
}

/**
 * `<workflowId>:<firstRunId>:<activityId>`. An activity scheduled before the business run was passed (an
 * instance started on an older worker, retried now) keeps the key its earlier attempts used.
 */
export function idempotencyKey(workflowId: string | undefined, run: BusinessRun | undefined, activityId: string): string {
  const workflow = workflowId ?? 'standalone';
  return run?.firstRunId ? `${workflow}:${run.firstRunId}:${activityId}` : `${workflow}:${activityId}`;
}
