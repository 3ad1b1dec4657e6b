/** `wait-for:` takes the first matching event, including one that arrived before the step started waiting. */
import { test } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { conditionUntil, now } from '../clock';
import { addDuration } from '../time';
import { target, type Flow, type StepContext } from './context';

export async function waitForEvent(ctx: StepContext, step: Step): Promise<Flow> {
  const spec = step['wait-for']!;
  const { inbox } = ctx;
  const deadline = spec.timeout === undefined ? undefined : addDuration(ctx.def, new Date(), spec.timeout, step.calendar);
  let checked = 0;
  for (;;) {
    for (; checked < inbox.length; checked++) {
      const event = inbox[checked];
      if (event.name !== spec.event) continue;
      if (spec.match !== undefined && !(await test(spec.match, { ...ctx.scope(), event }))) continue;
      inbox.splice(checked, 1);
      if (step.result) ctx.variables[step.result] = event.payload ?? null;
      return {};
    }
    const known = inbox.length;
    const arrived = await ctx.block(() => conditionUntil(() => inbox.length > known, deadline));
    if (!arrived) {
      ctx.audit.push({ at: now(), event: 'deadline-breached', stepId: step.id, detail: `no '${spec.event}' event within ${spec.timeout}` });
      return target(ctx, spec['on-timeout'] ?? { end: 'cancelled', reason: `no '${spec.event}' event within ${spec.timeout}` });
    }
  }
}
