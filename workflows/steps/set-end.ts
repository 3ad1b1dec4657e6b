/** `set:` assigns variables; `end:` ends the process with a status and a reason. */
import { andThen, type Eventually } from '../../dsl/eventually';
import { renderEagerly, resolveEagerly } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import type { Flow, StepContext } from './context';

export function set(ctx: StepContext, step: Step): Eventually<Flow> {
  const assignments = Object.entries(step.set!);
  // In order: each value sees the variables the ones before it set.
  const assignFrom = (first: number): Eventually<Flow> => {
    for (let i = first; i < assignments.length; i++) {
      const [name, value] = assignments[i];
      const resolved = resolveEagerly(value, ctx.scope());
      if (resolved instanceof Promise) {
        return resolved.then((result) => {
          ctx.variables[name] = result;
          return assignFrom(i + 1);
        });
      }
      ctx.variables[name] = resolved;
    }
    // A deadline anchored to a variable (e.g. the day a notice went out) is fixed, and shown, once it is set.
    return andThen(ctx.deadlines.fixKnownEagerly(), () => {
      ctx.search.changedNow();
      return {};
    });
  };
  return assignFrom(0);
}

export function end(ctx: StepContext, step: Step): Eventually<Flow> {
  const status = step.end!;
  if (step.reason === undefined) return { end: { status, reason: undefined } };
  return andThen(renderEagerly(step.reason, ctx.scope()), (reason) => ({ end: { status, reason } }));
}
