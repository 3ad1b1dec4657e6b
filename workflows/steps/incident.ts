/**
 * Runs an activity or child workflow so that failing for good (retries exhausted, or an error no retry can
 * cure) does not lose the instance: an incident task asks the incident role to retry, skip or cancel. The
 * incident task is held to the step's `deadline:` and gets its `remind:` and `escalate:`, so a deadline on
 * an automatic step reaches the person who has to unblock it.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, isCancellation, patched } from '@temporalio/workflow';
import type { Step } from '../../dsl/model';
import { now } from '../clock';
import type { Flow, StepContext } from './context';
import { awaitDecision } from './open-task';

/** The role that handles failed steps when a definition names none (`incident-role`). */
const DEFAULT_INCIDENT_ROLE = 'admin';

/** The failure type of a call whose `expect:` did not hold; it goes to the incident role like any failure. */
export const EXPECTATION_FAILED = 'ExpectationFailed';

/** The failure type of a role expression whose value is not one of the step's declared roles. */
export const ROLE_NOT_DECLARED = 'RoleNotDeclared';

/** Failures raised by the interpreter itself that an incident, not a failed instance, answers. */
const INCIDENT_TYPES: readonly string[] = [EXPECTATION_FAILED, ROLE_NOT_DECLARED];

/** Instances started before this change open incident tasks without the step's deadline, as they did then. */
const INCIDENT_KEEPS_DEADLINE = 'incident-keeps-step-deadline';

/** What the incident role decided about a failed step. */
export type Recovery = { skipped: true } | { cancelled: string };

export async function recoverable<T>(ctx: StepContext, step: Step, id: string, work: () => Promise<T>): Promise<T | Recovery> {
  for (let incident = 1; ; incident++) {
    try {
      return await ctx.block(work);
    } catch (err) {
      if (isCancellation(err)) throw err; // the instance is being cancelled: no incident for the step
      const engineFailure = err instanceof ApplicationFailure && INCIDENT_TYPES.includes(err.type ?? '');
      if (!(err instanceof ActivityFailure || err instanceof ChildWorkflowFailure || engineFailure)) throw err;
      const message = rootCause(err);
      ctx.audit.push({ at: now(), event: 'failed', stepId: step.id, detail: message });
      // The step's deadline, reminders and escalation hold the incident task to the step's own timing.
      const timing = patched(INCIDENT_KEEPS_DEADLINE) ? step : { id: step.id };
      const decided = await awaitDecision(ctx, timing, {
        id: `${id}.incident-${incident}`,
        stepId: step.id,
        kind: 'incident',
        roles: [ctx.def['incident-role'] ?? DEFAULT_INCIDENT_ROLE],
        title: `Step '${step.id}' failed: ${message}`,
        instructions: 'retry once the cause is fixed, skip the step, or cancel the process (give the reason)',
        outcomes: ['retry', 'skip', 'cancel'],
        commentRequired: ['skip', 'cancel'],
      });
      if (decided.outcome === 'skip') return { skipped: true };
      if (decided.outcome === 'cancel') return { cancelled: decided.comment ?? `step '${step.id}' failed` };
    }
  }
}

export function isRecovery(value: unknown): value is Recovery {
  return typeof value === 'object' && value !== null && ('skipped' in value || 'cancelled' in value) && Object.keys(value).length === 1;
}

/** The flow after a recovery: a skipped step goes on, a cancelled one ends the process. */
export function recoveryFlow(recovery: Recovery): Flow {
  return 'cancelled' in recovery ? { end: { status: 'cancelled', reason: recovery.cancelled } } : {};
}

/** The innermost message of a failure chain: what actually went wrong, without Temporal's wrapping. */
function rootCause(err: Error): string {
  let current: Error = err;
  while ((current as { cause?: Error }).cause) current = (current as { cause: Error }).cause;
  return current.message;
}
