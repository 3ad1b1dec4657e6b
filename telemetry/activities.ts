/**
 * Watches every activity the worker runs: counts and times each connector call by system, action and
 * outcome, counts task e-mails, and logs one line per call with the instance's fields (the activity's
 * logger carries its workflow id, run id and process). Runs outside the workflow sandbox.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { WorkerMetrics } from './metrics';

type Outcome = 'ok' | 'retryable' | 'failed' | 'cancelled';

function outcomeOf(error: unknown): Outcome {
  if (error instanceof CancelledFailure) return 'cancelled';
  if (error instanceof ApplicationFailure && error.nonRetryable) return 'failed';
  return 'retryable';
}

export function observingActivities(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, workflowType } = ctx.info;
        // `hubspot.createTicket` → system `hubspot`, action `createTicket`; `notify` is the task e-mail.
        const dot = activityType.indexOf('.');
        const [system, action] = dot > 0 ? [activityType.slice(0, dot), activityType.slice(dot + 1)] : [activityType, activityType];
        const started = process.hrtime.bigint();
        let outcome: Outcome = 'ok';
        try {
          const result = await next(input);
          if (system === 'notify') metrics.notificationsSent.inc({ process: workflowType ?? 'unknown' });
          return result;
        } catch (error) {
          outcome = outcomeOf(error);
          throw error;
        } finally {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.connectorCalls.inc({ system, action, outcome });
          metrics.connectorCallSeconds.observe({ system, action, outcome }, seconds);
          ctx.log.info(`${activityType}: ${outcome}`, { system, action, outcome, durationMs: Math.round(seconds * 1000) });
        }
      },
    },
  });
}
