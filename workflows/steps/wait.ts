/** `wait:` sleeps for a duration or until an instant, on a durable timer. */
import { evaluate } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { sleepUntil } from '../clock';
import { addDuration, instantOf } from '../time';
import type { Flow, StepContext } from './context';

export async function wait(ctx: StepContext, step: Step): Promise<Flow> {
  const spec = step.wait!;
  const until = spec.for !== undefined
    ? addDuration(ctx.def, new Date(), spec.for, step.calendar)
    : instantOf(await evaluate(spec.until!, ctx.scope()), ctx.def, step.calendar);
  await ctx.block(() => sleepUntil(until));
  return {};
}
