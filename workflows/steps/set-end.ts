/** `set:` assigns variables; `end:` ends the process with a status and a reason. */
import { render, resolveValue } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import type { Flow, StepContext } from './context';

export async function set(ctx: StepContext, step: Step): Promise<Flow> {
  for (const [name, value] of Object.entries(step.set!)) ctx.variables[name] = await resolveValue(value, ctx.scope());
  // A deadline anchored to a variable (e.g. the day a notice went out) is fixed, and shown, once it is set.
  await ctx.deadlines.fixKnown();
  ctx.search.changedNow();
  return {};
}

export async function end(ctx: StepContext, step: Step): Promise<Flow> {
  return { end: { status: step.end!, reason: step.reason === undefined ? undefined : await render(step.reason, ctx.scope()) } };
}
