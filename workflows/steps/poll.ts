/**
 * `poll:` waits until an external system reaches a state: the action (a read) is called, and again every
 * interval, until `until` holds of its answer; an event of the named kind ends the wait early, and the
 * timeout says when to stop asking. One step instead of call → branch → wait loops.
 *
 * Between two calls the instance sleeps on a durable timer. A poll among the main steps may continue as new
 * between calls (when Temporal suggests it), carrying how often it asked and when it gives up.
 */
import { condition, patched } from '@temporalio/workflow';
import { resolveValue, test } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { proxyActions } from '../actions';
import { conditionUntil, earliest, now, ONE_TIMER_PER_WAIT, withTimer } from '../clock';
import type { ExternalEvent, WaitView } from '../messages';
import { addDuration } from '../time';
import { target, type Flow, type StepContext } from './context';
import { isRecovery, recoverable, recoveryFlow } from './incident';

/**
 * Instances started before this change ended a poll at once, without a check, on an event already there when
 * the step began. Whether such an event came before the step began or during its first check can differ
 * between the live run and a replay (in one workflow activation with the step before, or in one after it),
 * and so did the commands; now the first check always runs, and the event ends the wait right after it.
 */
const CHECK_BEFORE_EARLY_EVENT = 'poll-checks-before-early-event';

/** What a poll carries across continue-as-new. */
interface PollProgress {
  checks: number;
  timeoutAt?: string;
  last?: unknown;
}

/** The step's `result`: why the wait ended, the latest answer, and the event when one ended it. */
export interface PollResult {
  by: 'condition' | 'event';
  checks: number;
  result?: unknown;
  event?: unknown;
}

export async function poll(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const checksFirst = patched(CHECK_BEFORE_EARLY_EVENT);
  const spec = step.poll!;
  const carried = ctx.resumed(step) as PollProgress | undefined;
  const timeoutAt = carried?.timeoutAt !== undefined
    ? new Date(carried.timeoutAt)
    : spec.timeout === undefined ? undefined : addDuration(ctx.def, new Date(), spec.timeout, step.calendar);
  // Reads are idempotent, so Temporal may retry a failed call freely; a call that fails for good is an incident.
  const activities = proxyActions({
    retry: { maximumAttempts: 10, initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const view: WaitView = { stepId: step.id, kind: 'poll', call: spec.call, checks: carried?.checks ?? 0, timeoutAt: timeoutAt?.toISOString(), event: spec.event };
  ctx.waiting.push(view);
  let last = carried?.last;
  const finish = (flow: Flow, result?: PollResult): Flow => {
    ctx.waiting.splice(ctx.waiting.indexOf(view), 1);
    if (result && step.result) ctx.variables[step.result] = result;
    return flow;
  };

  const endedByEvent = (event: ExternalEvent): Flow => {
    ctx.audit.push({ at: now(), event: 'polled', stepId: step.id, detail: `ended by event '${event.name}' after ${view.checks} check(s)` });
    return finish({}, { by: 'event', checks: view.checks, result: last, event: event.payload ?? null });
  };

  for (let first = true; ; first = false) {
    // The first check comes before any event (CHECK_BEFORE_EARLY_EVENT): one already there ends the wait after it.
    const eventFirst = !(checksFirst && first);
    if (eventFirst) {
      const early = await matchingEvent(ctx, step);
      if (early) return endedByEvent(early);
    }
    if (timeoutAt && timeoutAt.getTime() <= Date.now()) {
      const reason = `${spec.call} did not satisfy '${spec.until}' within ${spec.timeout}`;
      ctx.audit.push({ at: now(), event: 'deadline-breached', stepId: step.id, detail: `${reason} (${view.checks} check(s))` });
      return finish(await target(ctx, spec['on-timeout'] ?? { end: 'cancelled' }, reason));
    }

    // An event that comes while the check runs ends the wait after it (instances started before this change
    // looked only at events that came once it was asleep, and so missed it until the next check).
    const before = eventFirst ? ctx.inbox.length : 0;
    view.checks++;
    const args = await resolveValue(spec.with ?? {}, ctx.scope());
    const answer = await recoverable(ctx, step, `${id}.check-${view.checks}`, () => activities[spec.call](args));
    if (isRecovery(answer)) return finish(recoveryFlow(answer));
    last = answer;
    if (await test(spec.until, { ...ctx.scope(), result: answer })) {
      ctx.audit.push({ at: now(), event: 'polled', stepId: step.id, detail: `${spec.until} held after ${view.checks} check(s)` });
      return finish({}, { by: 'condition', checks: view.checks, result: answer });
    }

    // Sleep until the next call, waking early only for an event that matches.
    const nextCheck = addDuration(ctx.def, new Date(), spec.every, step.calendar);
    view.nextCheckAt = nextCheck.toISOString();
    const wakeAt = earliest(nextCheck, timeoutAt)!;
    const event = patched(ONE_TIMER_PER_WAIT) ? await sleepUnlessEvent(ctx, step, wakeAt, before) : await sleepUnlessEventBefore(ctx, step, wakeAt);
    if (event) return endedByEvent(event);
    view.nextCheckAt = undefined;
    await ctx.checkpoint(step, { checks: view.checks, timeoutAt: timeoutAt?.toISOString(), last } satisfies PollProgress);
  }
}

/** Sleeps until `wakeAt` under one timer (clock.ts `withTimer`) unless an event ends the poll, also one that came since `seen`. */
function sleepUnlessEvent(ctx: StepContext, step: Step, wakeAt: Date, seen: number): Promise<ExternalEvent | undefined> {
  if (Date.now() >= wakeAt.getTime()) return Promise.resolve(undefined);
  return withTimer(wakeAt, async (rang) => {
    for (;;) {
      if (ctx.inbox.length > seen) {
        const event = await matchingEvent(ctx, step);
        if (event) return event;
      }
      if (rang()) return undefined;
      seen = ctx.inbox.length;
      await ctx.block(() => condition(() => ctx.inbox.length > seen || rang()));
    }
  });
}

/** Before ONE_TIMER_PER_WAIT: a timer at each wake-up, and only events that came once asleep. */
async function sleepUnlessEventBefore(ctx: StepContext, step: Step, wakeAt: Date): Promise<ExternalEvent | undefined> {
  while (Date.now() < wakeAt.getTime()) {
    const known = ctx.inbox.length;
    if (!(await ctx.block(() => conditionUntil(() => ctx.inbox.length > known, wakeAt)))) return undefined;
    const event = await matchingEvent(ctx, step);
    if (event) return event;
  }
  return undefined;
}

/** Takes the first event in the inbox that ends this poll (also one that arrived before the step began). */
async function matchingEvent(ctx: StepContext, step: Step): Promise<ExternalEvent | undefined> {
  const { event: name, match } = step.poll!;
  if (name === undefined) return undefined;
  for (let i = 0; i < ctx.inbox.length; i++) {
    const event = ctx.inbox[i];
    if (event.name !== name) continue;
    if (match !== undefined && !(await test(match, { ...ctx.scope(), event }))) continue;
    ctx.inbox.splice(i, 1);
    return event;
  }
  return undefined;
}
