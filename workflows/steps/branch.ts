/** `branch:` goes where the first case whose `when` holds says; a case without `when` is the default. */
import { test } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { target, type Flow, type StepContext } from './context';

export async function branch(ctx: StepContext, step: Step): Promise<Flow> {
  for (const branchCase of step.branch!) {
    if (branchCase.when === undefined || (await test(branchCase.when, ctx.scope()))) return target(ctx, branchCase);
  }
  return {};
}
