/** `subprocess:` runs another process as a child workflow and keeps its result. */
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { resolveValue } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { searchAttributes } from '../messages';
import type { Flow, StepContext } from './context';
import { isRecovery, recoverable, recoveryFlow } from './incident';

export async function subprocess(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const child = ctx.def.subprocesses[step.subprocess!];
  const input = (await resolveValue(step.with ?? {}, ctx.scope())) as Record<string, unknown>;
  const result = await recoverable(ctx, step, id, () => executeChild(child.process, {
    args: [{ definition: child, input }],
    workflowId: `${workflowInfo().workflowId}/${id}`,
    typedSearchAttributes: [
      { key: searchAttributes.processName, value: child.process },
      { key: searchAttributes.processVersion, value: String(child.version) },
    ],
  }));
  if (isRecovery(result)) return recoveryFlow(result);
  if (step.result) ctx.variables[step.result] = result;
  return {};
}
