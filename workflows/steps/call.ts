/** `call:` runs one action as an activity, with the step's retry policy and timeout, and checks `expect:`. */
import { ApplicationFailure } from '@temporalio/workflow';
import { duration } from '../../dsl/durations';
import { andThen } from '../../dsl/eventually';
import { resolveEagerly, testEagerly } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { proxyActions, type ActionCall } from '../actions';
import { now } from '../clock';
import { possibleDuplicateNote } from '../notifications';
import type { Flow, StepContext } from './context';
import { EXPECTATION_FAILED, isRecovery, recoverable, recoveryFlow } from './incident';

export async function call(ctx: StepContext, step: Step, activityId: string): Promise<Flow> {
  const activities = stepActivities(step, activityId);
  const resolved = resolveEagerly(step.with ?? {}, ctx.scope());
  const args = resolved instanceof Promise ? await resolved : resolved;
  const result = await recoverable(ctx, step, activityId, () => {
    const calling = activities[step.call!](args);
    if (step.expect === undefined) return calling;
    return calling.then((value) =>
      andThen(testEagerly(step.expect!, { ...ctx.scope(), result: value }), (holds) => {
        if (!holds) throw expectationFailed(step, value);
        return value;
      }),
    );
  });
  return isRecovery(result) ? recoveryFlow(result) : recorded(ctx, step, result);
}

/** The step's action under its activity id, with the step's retry policy and timeout. */
export function stepActivities(step: Step, activityId: string): Record<string, ActionCall> {
  const retry = step.retry;
  return proxyActions({
    activityId,
    ...(step.timeout ? { startToCloseTimeout: fixedMs(step.timeout) } : {}),
    retry: {
      maximumAttempts: retry?.['max-attempts'] ?? 10,
      initialInterval: retry?.['initial-interval'] ? fixedMs(retry['initial-interval']) : '1 second',
      maximumInterval: retry?.['maximum-interval'] ? fixedMs(retry['maximum-interval']) : '1 minute',
      backoffCoefficient: retry?.backoff ?? 2,
    },
  });
}

export function expectationFailed(step: Step, value: unknown): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`expected ${step.expect}, but the result was ${JSON.stringify(value)}`, EXPECTATION_FAILED);
}

/** The call's result kept in the step's `result` variable, and an e-mail that may have gone twice noted in the audit. */
export function recorded(ctx: StepContext, step: Step, result: unknown): Flow {
  // An e-mail whose earlier attempt was lost mid-send (activities/email/send-once.ts): the audit says so.
  const sent = result as { possibleDuplicate?: boolean; messageId?: string } | null;
  if (sent?.possibleDuplicate === true) {
    ctx.audit.push({ at: now(), event: 'notified', stepId: step.id, detail: `${step.call}: ${possibleDuplicateNote(sent.messageId)}` });
  }
  if (step.result) ctx.variables[step.result] = result;
  return {};
}

function fixedMs(text: string): number {
  const parsed = duration(text);
  if (parsed.kind !== 'fixed') throw ApplicationFailure.nonRetryable(`'${text}' must be a fixed duration`);
  return parsed.ms;
}
