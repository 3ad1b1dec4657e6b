/** `task:` asks a role for a decision; the chosen outcome says where the process goes. */
import { renderEagerly } from '../../dsl/expressions';
import type { Step, TaskSpec as TaskStep } from '../../dsl/model';
import { targetEagerly, type Flow, type StepContext } from './context';
import { isRecovery, recoveryFlow } from './incident';
import { awaitDecision, type TaskSpec } from './open-task';
import { assigneeEagerly } from './roles';

export async function humanTask(ctx: StepContext, step: Step, taskId: string): Promise<Flow> {
  const task = step.task!;
  const chosen = assigneeEagerly(ctx, step, taskId, task.role);
  const role = chosen instanceof Promise ? await chosen : chosen;
  if (isRecovery(role)) return recoveryFlow(role);
  const title = renderEagerly(task.title, ctx.scope());
  const instructions = task.instructions === undefined ? undefined : renderEagerly(task.instructions, ctx.scope());
  const decided = await awaitDecision(ctx, step, taskSpec(ctx, step, taskId, role, {
    title: title instanceof Promise ? await title : title,
    instructions: instructions instanceof Promise ? await instructions : instructions,
  }), task.due);
  if (step.result) ctx.variables[step.result] = decided;
  return targetEagerly(ctx, task.outcomes[decided.outcome]);
}

/** The task a `task:` step opens, for the role it goes to, with its title and instructions rendered. */
export function taskSpec(ctx: StepContext, step: Step, taskId: string, role: string, texts: { title: string; instructions?: string }): TaskSpec {
  const task = step.task!;
  return {
    id: taskId,
    stepId: step.id,
    kind: 'task',
    roles: [role],
    ...texts,
    outcomes: Object.keys(task.outcomes),
    commentRequired: Object.entries(task.outcomes).filter(([, o]) => o.comment === 'required').map(([name]) => name),
    form: task.form,
    ...outcomeWords(task),
    ...(task['four-eyes'] ? { excluded: fourEyes(ctx, task['four-eyes']) } : {}),
  };
}

/** The outcomes' labels and the form fields each requires, when the definition gives any. */
function outcomeWords(task: TaskStep): { labels?: Record<string, string>; requires?: Record<string, string[]> } {
  const entries = Object.entries(task.outcomes);
  const labels = Object.fromEntries(entries.flatMap(([name, o]) => (o.label === undefined ? [] : [[name, o.label]])));
  const requires = Object.fromEntries(entries.flatMap(([name, o]) => (o.requires ? [[name, o.requires]] : [])));
  return { ...(Object.keys(labels).length ? { labels } : {}), ...(Object.keys(requires).length ? { requires } : {}) };
}

/** The people who hold the role but may not decide: the instance's starter, and the deciders of the named steps. */
function fourEyes(ctx: StepContext, rule: NonNullable<TaskStep['four-eyes']>): { id: string; why: string }[] {
  const excluded: { id: string; why: string }[] = [];
  if (rule.starter && ctx.startedBy) excluded.push({ id: ctx.startedBy.id, why: 'they started this instance' });
  for (const entry of ctx.audit) {
    if (entry.event !== 'decision' || !entry.actor || !rule.steps?.includes(entry.stepId ?? '')) continue;
    if (!excluded.some((e) => e.id === entry.actor)) excluded.push({ id: entry.actor, why: `they decided step '${entry.stepId}'` });
  }
  return excluded;
}
