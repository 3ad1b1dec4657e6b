/** `call:` runs one action as an activity, with the step's retry policy and timeout, and checks `expect:`. */
import { ApplicationFailure } from '@temporalio/workflow';
import { duration } from '../../dsl/durations';
import { resolveValue, test } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { proxyActions } from '../actions';
import { now } from '../clock';
import { possibleDuplicateNote } from '../notifications';
import type { Flow, StepContext } from './context';
import { EXPECTATION_FAILED, isRecovery, recoverable, recoveryFlow } from './incident';

export async function call(ctx: StepContext, step: Step, activityId: string): Promise<Flow> {
  const retry = step.retry;
  const activities = proxyActions({
    activityId,
    ...(step.timeout ? { startToCloseTimeout: fixedMs(step.timeout) } : {}),
    retry: {
      maximumAttempts: retry?.['max-attempts'] ?? 10,
      initialInterval: retry?.['initial-interval'] ? fixedMs(retry['initial-interval']) : '1 second',
      maximumInterval: retry?.['maximum-interval'] ? fixedMs(retry['maximum-interval']) : '1 minute',
      backoffCoefficient: retry?.backoff ?? 2,
    },
  });
  const args = await resolveValue(step.with ?? {}, ctx.scope());
  const result = await recoverable(ctx, step, activityId, async () => {
    const value = await activities[step.call!](args);
    if (step.expect !== undefined && !(await test(step.expect, { ...ctx.scope(), result: value }))) {
      throw ApplicationFailure.nonRetryable(`expected ${step.expect}, but the result was ${JSON.stringify(value)}`, EXPECTATION_FAILED);
    }
    return value;
  });
  if (isRecovery(result)) return recoveryFlow(result);
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
