/**
 * `for-each:` runs its steps once per item of a list: one after another, or up to `max-parallel` at once.
 * Each item has its own variables (the item, its `index`, and whatever its steps set); the step's `result`
 * is the list of them, in the list's order. Ids of tasks, activities and children carry the item's number
 * (`per-country#1.item-2.reserve#1`), so each item's tasks are told apart. An item that ends the process
 * (rejected, cancelled) stops the others, as a parallel branch does.
 */
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { evaluate, type Scope } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { now } from '../clock';
import type { Ending, Flow, StepContext } from './context';

export async function forEach(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const spec = step['for-each']!;
  const list = await evaluate(spec.items, ctx.scope());
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    throw ApplicationFailure.nonRetryable(`for-each '${step.id}': '${spec.items}' gave ${JSON.stringify(list)}, not a list`, 'NotAList');
  }
  const items: unknown[] = list ?? [];
  const results: Record<string, unknown>[] = new Array(items.length);
  let stopped: Ending | undefined;
  const scope = new CancellationScope();

  const runItem = async (index: number) => {
    const item = itemContext(ctx, `${id}.item-${index + 1}.`, { [spec.as ?? 'item']: items[index], index });
    ctx.audit.push({ at: now(), event: 'item', stepId: step.id, detail: `item ${index + 1} of ${items.length}` });
    const ending = await ctx.runList(spec.steps, item);
    results[index] = item.variables;
    if (ending && ending.status !== 'completed' && !stopped) {
      stopped = ending;
      scope.cancel();
    }
  };

  // Workers take the items in order, so the same items start at the same moments on every replay.
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < items.length && !stopped) await runItem(nextIndex++);
  };
  try {
    await scope.run(() => Promise.all(Array.from({ length: Math.min(spec['max-parallel'] ?? 1, items.length) }, worker)));
  } catch (err) {
    if (!(stopped && isCancellation(err))) throw err;
  }
  if (stopped) return { end: stopped };
  if (step.result) ctx.variables[step.result] = results;
  return {};
}

/** The instance as one item's steps see it: their own variables over the instance's, ids made unique. */
function itemContext(parent: StepContext, idPrefix: string, locals: Record<string, unknown>): StepContext {
  const item: StepContext = {
    def: parent.def,
    variables: locals,
    audit: parent.audit,
    inbox: parent.inbox,
    tasks: parent.tasks,
    deadlines: parent.deadlines,
    search: parent.search,
    notifying: parent.notifying,
    startedBy: parent.startedBy,
    get stage() {
      return parent.stage;
    },
    enterStage: (step, stage, activityId) => parent.enterStage(step, stage, activityId),
    waiting: parent.waiting,
    idPrefix: `${parent.idPrefix}${idPrefix}`,
    scope: (): Scope => ({ ...parent.scope(), ...locals }),
    block: (work) => parent.block(work),
    runList: (steps, within) => parent.runList(steps, within ?? item),
    // An item is never one of the main steps, so it does not continue as new from inside.
    checkpoint: async () => undefined,
    resumed: () => undefined,
  };
  return item;
}
