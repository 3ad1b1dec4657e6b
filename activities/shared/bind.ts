/**
 * Turns connector actions into Temporal activities: the input is parsed with the action's zod schema
 * (a mismatch fails at once, without retry), the idempotency key is derived from the workflow id and the
 * activity id (stable across retries and replays), and connector errors become retry decisions.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Action } from './action';
import { toActivityFailure } from './errors';

export type ActivityFunction = (input: unknown) => Promise<unknown>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bindActions<Client>(actions: readonly Action<Client, any, any>[], client: Client): Record<string, ActivityFunction> {
  const activities: Record<string, ActivityFunction> = {};
  for (const action of actions) {
    activities[action.name] = async (input) => {
      const parsed = action.input.safeParse(input);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue: { path: PropertyKey[]; message: string }) => `${issue.path.map(String).join('.') || 'input'}: ${issue.message}`);
        throw ApplicationFailure.nonRetryable(`${action.name}: invalid arguments: ${problems.join('; ')}`, 'InvalidArguments');
      }
      const context = Context.current();
      const { workflowExecution, activityId } = context.info;
      try {
        return await action.run(client, parsed.data, {
          idempotencyKey: `${workflowExecution?.workflowId ?? 'standalone'}:${activityId}`,
          signal: context.cancellationSignal,
          attempt: context.info.attempt,
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
    };
  }
  return activities;
}
