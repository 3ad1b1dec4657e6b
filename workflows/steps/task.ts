/** `task:` asks a role for a decision; the chosen outcome says where the process goes. */
import { render } from '../../dsl/expressions';
import type { Step, TaskSpec } from '../../dsl/model';
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
    ...outcomeWords(task),
    ...(task['four-eyes'] ? { excluded: fourEyes(ctx, task['four-eyes']) } : {}),
  }, task.due);
  if (step.result) ctx.variables[step.result] = decided;
  return target(ctx, task.outcomes[decided.outcome]);
}

/** The outcomes' labels and the form fields each requires, when the definition gives any. */
function outcomeWords(task: TaskSpec): { labels?: Record<string, string>; requires?: Record<string, string[]> } {
  const entries = Object.entries(task.outcomes);
  const labels = Object.fromEntries(entries.flatMap(([name, o]) => (o.label === undefined ? [] : [[name, o.label]])));
  const requires = Object.fromEntries(entries.flatMap(([name, o]) => (o.requires ? [[name, o.requires]] : [])));
  return { ...(Object.keys(labels).length ? { labels } : {}), ...(Object.keys(requires).length ? { requires } : {}) };
}

/** The people who hold the role but may not decide: the instance's starter, and the deciders of the named steps. */
function fourEyes(ctx: StepContext, rule: NonNullable<TaskSpec['four-eyes']>): { id: string; why: string }[] {
  const excluded: { id: string; why: string }[] = [];
  if (rule.starter && ctx.startedBy) excluded.push({ id: ctx.startedBy.id, why: 'they started this instance' });
  for (const entry of ctx.audit) {
    if (entry.event !== 'decision' || !entry.actor || !rule.steps?.includes(entry.stepId ?? '')) continue;
    if (!excluded.some((e) => e.id === entry.actor)) excluded.push({ id: entry.actor, why: `they decided step '${entry.stepId}'` });
  }
  return excluded;
}
