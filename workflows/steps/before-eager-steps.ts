/**
 * `branch:`, `set:` and `end:` as instances started before the patch `eager-steps` run them: async, with a
 * promise for every step and every expression. Kept exactly as they were: how many promises a step makes
 * decides the order in which steps running side by side (parallel branches, for-each items) give their
 * commands, and a recorded history replays only in the order it was recorded.
 */
import { render, resolveValue, test } from '../../dsl/expressions';
import type { Step, StepKind } from '../../dsl/model';
import { target, type Flow, type StepContext } from './context';

async function branch(ctx: StepContext, step: Step): Promise<Flow> {
  for (const branchCase of step.branch!) {
    if (branchCase.when === undefined || (await test(branchCase.when, ctx.scope()))) return target(ctx, branchCase);
  }
  return {};
}

async function set(ctx: StepContext, step: Step): Promise<Flow> {
  for (const [name, value] of Object.entries(step.set!)) ctx.variables[name] = await resolveValue(value, ctx.scope());
  await ctx.deadlines.fixKnown();
  ctx.search.changedNow();
  return {};
}

async function end(ctx: StepContext, step: Step): Promise<Flow> {
  return { end: { status: step.end!, reason: step.reason === undefined ? undefined : await render(step.reason, ctx.scope()) } };
}

export const handlersBeforeEagerSteps: Partial<Record<StepKind, (ctx: StepContext, step: Step) => Promise<Flow>>> = { branch, set, end };
