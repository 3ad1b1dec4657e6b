/**
 * `subprocess:` runs another process as a child workflow and keeps its result. A child that ends rejected
 * or cancelled ends the parent the same way, unless the step says where to go instead (`on-rejected`,
 * `on-cancelled`).
 */
import { executeChild, patched, workflowInfo } from '@temporalio/workflow';
import { resolveValue } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { now } from '../clock';
import { searchAttributes, type ProcessResult } from '../messages';
import { target, type Flow, type StepContext } from './context';
import { isRecovery, recoverable, recoveryFlow } from './incident';

/**
 * Instances started before this change went on after a rejected or cancelled child; their histories
 * carry no marker of this patch, so on replay they keep doing that.
 */
const CHILD_ENDING_ENDS_PARENT = 'subprocess-child-ending-ends-parent';

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
  const ended = result as ProcessResult;
  if (ended.status === 'completed' || !patched(CHILD_ENDING_ENDS_PARENT)) return {};
  const reason = `subprocess ${child.process} ended ${ended.status}${ended.reason ? `: ${ended.reason}` : ''}`;
  ctx.audit.push({ at: now(), event: 'subprocess-ended', stepId: step.id, outcome: ended.status, detail: reason });
  const instead = ended.status === 'rejected' ? step['on-rejected'] : step['on-cancelled'];
  return target(ctx, instead ?? { end: ended.status }, reason);
}
