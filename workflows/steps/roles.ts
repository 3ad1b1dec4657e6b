/**
 * The role a task, checklist item or review goes to, when the definition lets the data choose it
 * (`role: =input.type = "reseller" ? "partner-manager" : "virtual-sales"`). A value outside the roles the
 * definition declares for it opens an incident for the incident role: never a task nobody can take.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { Eventually } from '../../dsl/eventually';
import { evaluate } from '../../dsl/expressions';
import type { RoleRef, Step } from '../../dsl/model';
import { roleChoices } from '../../dsl/roles';
import type { StepContext } from './context';
import { recoverable, ROLE_NOT_DECLARED, type Recovery } from './incident';

/** The role `ref` gives now, or the incident role's decision when it gives none of its declared roles. */
export function assignee(ctx: StepContext, step: Step, id: string, ref: RoleRef): Promise<string | Recovery> {
  const choices = roleChoices(ref);
  if (choices.expression === undefined) return Promise.resolve(choices.roles[0]);
  return recoverable(ctx, step, `${id}.role`, () => chosenRole(ctx, choices.expression!, choices.open ? Object.keys(ctx.def.roles) : choices.roles));
}

/** `assignee` without a promise when the role is fixed (instances started under `eager-steps`). */
export function assigneeEagerly(ctx: StepContext, step: Step, id: string, ref: RoleRef): Eventually<string | Recovery> {
  const choices = roleChoices(ref);
  return choices.expression === undefined ? choices.roles[0] : assignee(ctx, step, id, ref);
}

async function chosenRole(ctx: StepContext, expression: string, allowed: readonly string[]): Promise<string> {
  const value = await evaluate(expression, ctx.scope());
  const declared = allowed.filter((role) => role in ctx.def.roles);
  if (typeof value === 'string' && declared.includes(value)) return value;
  throw ApplicationFailure.nonRetryable(
    `the role expression gave ${value === undefined ? 'nothing' : JSON.stringify(value)}, which is not one of ${declared.join(', ')}`,
    ROLE_NOT_DECLARED,
  );
}
