/**
 * Opens a human task (task, review round, checklist part, incident) and waits for its decision, while the
 * step's due date, deadline, reminders and escalation run. Reminders, escalation and a breached due date or
 * deadline are recorded while the task stays open: nothing here cancels it. The role's holders are e-mailed
 * when it opens and at each reminder; the role it is escalated to, when it is escalated.
 */
import { patched } from '@temporalio/workflow';
import type { Step } from '../../dsl/model';
import { conditionUntil, earliest, now } from '../clock';
import type { OpenTask } from '../messages';
import { notifyTask } from '../notifications';
import type { Decided } from '../tasks';
import { addDuration, subtractDuration } from '../time';
import type { StepContext } from './context';

/** A task as a step describes it, before the board stamps when it opened and how it stands. */
export type TaskSpec = Omit<OpenTask, 'openedAt' | 'breached' | 'reminders' | 'dueAt'>;

/** The parts of a step that time its tasks. */
export type Timing = Pick<Step, 'id' | 'calendar' | 'deadline' | 'remind' | 'escalate'>;

/**
 * A task that opens already past its escalation point (or its due date) is escalated (or breached) as it
 * opens, in the same workflow task: before this, a one-millisecond timer did it a moment later, and
 * whoever read the task in between saw it unescalated.
 */
const TIMING_AT_OPEN = 'task-timing-at-open';

export async function awaitDecision(ctx: StepContext, step: Timing, spec: TaskSpec, due?: string): Promise<Decided> {
  const { def, tasks, audit } = ctx;
  const opened = new Date();
  const dueAt = earliest(
    due === undefined ? undefined : addDuration(def, opened, due, step.calendar),
    step.deadline === undefined ? undefined : await ctx.deadlines.at(step.deadline),
  );
  const task = tasks.openTask({ ...spec, dueAt: dueAt?.toISOString() });
  notifyTask(ctx, 'opened', task, [...task.roles], `${task.id}.notify-opened`);
  let nextReminder = step.remind ? addDuration(def, opened, step.remind.every, step.calendar) : undefined;
  let escalateAt = await escalationTime(ctx, step, opened);
  // Whatever fell due since the last wake-up: a reminder, the escalation, the due date.
  const catchUp = (): void => {
    const at = Date.now();
    if (nextReminder && nextReminder.getTime() <= at) {
      task.reminders++;
      audit.push({ at: now(), event: 'reminder', stepId: step.id, taskId: task.id, detail: `reminder ${task.reminders} to ${task.roles.join(', ')}` });
      notifyTask(ctx, 'reminder', task, [...task.roles], `${task.id}.notify-reminder-${task.reminders}`);
      nextReminder = addDuration(def, nextReminder, step.remind!.every, step.calendar);
    }
    if (escalateAt && escalateAt.getTime() <= at) {
      const to = step.escalate!.to;
      if (!task.roles.includes(to)) task.roles.push(to);
      task.escalatedTo = to;
      audit.push({ at: now(), event: 'escalated', stepId: step.id, taskId: task.id, detail: `escalated to ${to}` });
      notifyTask(ctx, 'escalated', task, [to], `${task.id}.notify-escalated`);
      escalateAt = undefined;
      ctx.search.changedNow();
    }
    if (dueAt && !task.breached && dueAt.getTime() <= at) {
      task.breached = true;
      ctx.search.taskBreached();
      audit.push({ at: now(), event: 'deadline-breached', stepId: step.id, taskId: task.id, detail: `due ${dueAt.toISOString()}` });
    }
  };
  if (patched(TIMING_AT_OPEN)) catchUp();
  for (;;) {
    const next = earliest(nextReminder, escalateAt, task.breached ? undefined : dueAt);
    const decided = await ctx.block(() => conditionUntil(() => tasks.decision(task.id) !== undefined, next));
    if (decided) return tasks.decision(task.id)!;
    catchUp();
  }
}

async function escalationTime(ctx: StepContext, step: Timing, opened: Date): Promise<Date | undefined> {
  const escalate = step.escalate;
  if (!escalate) return undefined;
  if (escalate.after !== undefined) return addDuration(ctx.def, opened, escalate.after, step.calendar);
  const deadline = step.deadline === undefined ? undefined : await ctx.deadlines.at(step.deadline);
  return deadline && subtractDuration(ctx.def, deadline, escalate.before!, step.calendar);
}
