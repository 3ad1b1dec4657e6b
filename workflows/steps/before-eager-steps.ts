/**
 * `branch:`, `set:`, `end:`, `call:` and `task:` as instances started before the patch `eager-steps` run them:
 * async, with a promise for every step and every expression. Kept exactly as they were: how many promises a step makes
 * decides the order in which steps running side by side (parallel branches, for-each items) give their
 * commands, and a recorded history replays only in the order it was recorded.
 */
import { render, resolveValue, test } from '../../dsl/expressions';
import type { Step, StepKind } from '../../dsl/model';
import { expectationFailed, recorded, stepActivities } from './call';
import { target, type Flow, type StepContext } from './context';
import { isRecovery, recoverable, recoveryFlow } from './incident';
import { awaitDecision } from './open-task';
import { assignee } from './roles';
import { taskSpec } from './task';

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

async function call(ctx: StepContext, step: Step, activityId: string): Promise<Flow> {
  const activities = stepActivities(step, activityId);
  const args = await resolveValue(step.with ?? {}, ctx.scope());
  const result = await recoverable(ctx, step, activityId, async () => {
    const value = await activities[step.call!](args);
    if (step.expect !== undefined && !(await test(step.expect, { ...ctx.scope(), result: value }))) throw expectationFailed(step, value);
    return value;
  });
  return isRecovery(result) ? recoveryFlow(result) : recorded(ctx, step, result);
}

async function humanTask(ctx: StepContext, step: Step, taskId: string): Promise<Flow> {
  const task = step.task!;
  const role = await assignee(ctx, step, taskId, task.role);
  if (isRecovery(role)) return recoveryFlow(role);
  const title = await render(task.title, ctx.scope());
  const instructions = task.instructions === undefined ? undefined : await render(task.instructions, ctx.scope());
  const decided = await awaitDecision(ctx, step, taskSpec(ctx, step, taskId, role, { title, instructions }), task.due);
  if (step.result) ctx.variables[step.result] = decided;
  return target(ctx, task.outcomes[decided.outcome]);
}

export const handlersBeforeEagerSteps: Partial<Record<StepKind, (ctx: StepContext, step: Step, id: string) => Promise<Flow>>> = { branch, set, end, call, task: humanTask };
