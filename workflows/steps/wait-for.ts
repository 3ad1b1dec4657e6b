/** `wait-for:` takes the first matching event, including one that arrived before the step started waiting. */
import { condition, patched } from '@temporalio/workflow';
import { test } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { conditionUntil, now, ONE_TIMER_PER_WAIT, withTimer } from '../clock';
import type { ExternalEvent } from '../messages';
import { addDuration } from '../time';
import { target, type Flow, type StepContext } from './context';

export async function waitForEvent(ctx: StepContext, step: Step): Promise<Flow> {
  const spec = step['wait-for']!;
  const { inbox } = ctx;
  const deadline = spec.timeout === undefined ? undefined : addDuration(ctx.def, new Date(), spec.timeout, step.calendar);
  let checked = 0;
  /** Takes the first matching event not looked at yet; false if there is none. */
  const taken = async (): Promise<boolean> => {
    for (; checked < inbox.length; checked++) {
      const event: ExternalEvent = inbox[checked];
      if (event.name !== spec.event) continue;
      if (spec.match !== undefined && !(await test(spec.match, { ...ctx.scope(), event }))) continue;
      inbox.splice(checked, 1);
      if (step.result) ctx.variables[step.result] = event.payload ?? null;
      return true;
    }
    return false;
  };
  const timedOut = (): Promise<Flow> => {
    ctx.audit.push({ at: now(), event: 'deadline-breached', stepId: step.id, detail: `no '${spec.event}' event within ${spec.timeout}` });
    return target(ctx, spec['on-timeout'] ?? { end: 'cancelled', reason: `no '${spec.event}' event within ${spec.timeout}` });
  };

  if (!patched(ONE_TIMER_PER_WAIT)) {
    for (;;) {
      if (await taken()) return {};
      const known = inbox.length;
      if (!(await ctx.block(() => conditionUntil(() => inbox.length > known, deadline)))) return timedOut();
    }
  }
  return withTimer(deadline, async (rang) => {
    for (;;) {
      if (await taken()) return {};
      if (rang()) return timedOut();
      await ctx.block(() => condition(() => inbox.length > checked || rang()));
    }
  });
}
