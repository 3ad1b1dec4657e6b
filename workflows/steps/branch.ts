/** `branch:` goes where the first case whose `when` holds says; a case without `when` is the default. */
import type { Eventually } from '../../dsl/eventually';
import { testEagerly } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { targetEagerly, type Flow, type StepContext } from './context';

export function branch(ctx: StepContext, step: Step): Eventually<Flow> {
  const cases = step.branch!;
  const fromCase = (first: number): Eventually<Flow> => {
    for (let i = first; i < cases.length; i++) {
      const branchCase = cases[i];
      const holds = branchCase.when === undefined || testEagerly(branchCase.when, ctx.scope());
      if (holds instanceof Promise) return holds.then((held) => (held ? targetEagerly(ctx, branchCase) : fromCase(i + 1)));
      if (holds) return targetEagerly(ctx, branchCase);
    }
    return {};
  };
  return fromCase(0);
}
