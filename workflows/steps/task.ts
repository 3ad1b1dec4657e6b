/** `task:` asks a role for a decision; the chosen outcome says where the process goes. */
import { render } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { target, type Flow, type StepContext } from './context';
import { isRecovery, recoveryFlow } from './incident';
import { awaitDecision } from './open-task';
import { assignee } from './roles';

export async function humanTask(ctx: StepContext, step: Step, taskId: string): Promise<Flow> {
  const task = step.task!;
  const role = await assignee(ctx, step, taskId, task.role);
  if (isRecovery(role)) return recoveryFlow(role);
  const decided = await awaitDecision(ctx, step, {
    id: taskId,
    stepId: step.id,
    kind: 'task',
    roles: [role],
    title: await render(task.title, ctx.scope()),
    instructions: task.instructions === undefined ? undefined : await render(task.instructions, ctx.scope()),
    outcomes: Object.keys(task.outcomes),
    commentRequired: Object.entries(task.outcomes).filter(([, o]) => o.comment === 'required').map(([name]) => name),
    form: task.form,
  }, task.due);
  if (step.result) ctx.variables[step.result] = decided;
  return target(ctx, task.outcomes[decided.outcome]);
}
