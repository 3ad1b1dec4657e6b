/** `parallel:` runs every branch at once; a branch that ends the process as rejected or cancelled stops the others. */
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { Step } from '../../dsl/model';
import type { Ending, Flow, StepContext } from './context';

export async function parallel(ctx: StepContext, step: Step): Promise<Flow> {
  let stopped: Ending | undefined;
  const scope = new CancellationScope();
  try {
    await scope.run(() =>
      Promise.all(
        Object.values(step.parallel!).map(async (steps) => {
          const ending = await ctx.runList(steps);
          ctx.search.flush(); // this branch is done; the others may wait a long time
          if (ending && ending.status !== 'completed' && !stopped) {
            stopped = ending;
            scope.cancel();
          }
        }),
      ),
    );
  } catch (err) {
    if (!(stopped && isCancellation(err))) throw err;
  }
  return stopped ? { end: stopped } : {};
}
