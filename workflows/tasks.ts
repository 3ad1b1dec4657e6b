/**
 * The human tasks of one instance: which are open, who may decide them, and the checks every decision
 * passes before it is accepted. The same checks guard the update (refused synchronously, nothing recorded)
 * and the signal (a refused signal is dropped, never failing the workflow).
 */
import { misfiledFields } from '../dsl/forms';
import { formProblems } from './form-validators';
import type { AuditEntry, Decision, OpenTask } from './messages';
import { taskOpened } from './task-observers';

/** Thrown by the decision validator: the caller sent something this instance cannot accept. */
class DecisionRefused extends Error {
  override name = 'DecisionRefused';
}

/** A form field left blank: absent, null, an empty or blank text, or an empty list. */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

export interface Decided {
  outcome: string;
  by: string;
  comment?: string;
  form?: Record<string, unknown>;
  at: string;
}

export class TaskBoard {
  readonly open: OpenTask[] = [];
  private readonly decided = new Map<string, Decided>();

  constructor(private readonly audit: AuditEntry[], private readonly onChange: () => void) {}

  openTask(task: Omit<OpenTask, 'openedAt' | 'breached' | 'reminders'>): OpenTask {
    const opened: OpenTask = { ...task, openedAt: new Date().toISOString(), breached: false, reminders: 0 };
    this.open.push(opened);
    this.audit.push({ at: opened.openedAt, event: 'task-opened', stepId: task.stepId, taskId: task.id, detail: `assigned to ${task.roles.join(', ')}` });
    taskOpened(opened);
    this.onChange();
    return opened;
  }

  /** The decision on a task, once it has been taken. */
  decision(taskId: string): Decided | undefined {
    return this.decided.get(taskId);
  }

  /** Throws DecisionRefused with a message the sender can act on; changes nothing. */
  validate(decision: Decision): void {
    if (!decision || typeof decision !== 'object') throw new DecisionRefused('a decision needs taskId, outcome and actor');
    const task = this.open.find((t) => t.id === decision.taskId);
    if (!task) {
      throw new DecisionRefused(
        this.decided.has(decision.taskId)
          ? `task '${decision.taskId}' is already closed`
          : `task '${decision.taskId}' is not open; open tasks: ${this.open.map((t) => t.id).join(', ') || 'none'}`,
      );
    }
    const roles = decision.actor?.roles ?? [];
    if (!roles.some((role) => task.roles.includes(role))) {
      throw new DecisionRefused(`role ${roles.map((r) => `'${r}'`).join(', ') || '(none)'} may not decide task '${task.id}'; it is assigned to ${task.roles.join(', ')}`);
    }
    const excluded = task.excluded?.find((person) => person.id === decision.actor?.id);
    if (excluded) throw new DecisionRefused(`${excluded.id} may not decide task '${task.id}' (four eyes): ${excluded.why}`);
    if (!task.outcomes.includes(decision.outcome)) {
      throw new DecisionRefused(`unknown outcome '${decision.outcome}' for task '${task.id}'; choose one of: ${task.outcomes.join(', ')}`);
    }
    if (task.commentRequired.includes(decision.outcome) && !decision.comment?.trim()) {
      throw new DecisionRefused(`outcome '${decision.outcome}' needs a comment giving the reason`);
    }
    const unfilled = (task.requires?.[decision.outcome] ?? []).filter((field) => isEmpty(decision.form?.[field]));
    if (unfilled.length) {
      throw new DecisionRefused(`outcome '${decision.outcome}' needs the form field${unfilled.length > 1 ? 's' : ''} ${unfilled.map((f) => `'${f}'`).join(', ')} filled in`);
    }
    const misfiled = misfiledFields(task.form, decision.form);
    if (misfiled.length) {
      throw new DecisionRefused(`form field${misfiled.length > 1 ? 's' : ''} ${misfiled.map((f) => `'${f}'`).join(', ')} ${misfiled.length > 1 ? 'are files' : 'is a file'}: give the id of an upload (upl_...), never the file itself`);
    }
    if (task.form) {
      const problems = formProblems(task.form, decision.form ?? {});
      if (problems.length) throw new DecisionRefused(`form does not match: ${problems.join('; ')}`);
    }
  }

  /** Records a decision that passed `validate` and closes its task. */
  accept(decision: Decision): Decided {
    const index = this.open.findIndex((t) => t.id === decision.taskId);
    const [task] = this.open.splice(index, 1);
    const decided: Decided = { outcome: decision.outcome, by: decision.actor.id, comment: decision.comment, form: decision.form, at: new Date().toISOString() };
    this.decided.set(task.id, decided);
    this.audit.push({ at: decided.at, event: 'decision', stepId: task.stepId, taskId: task.id, actor: decided.by, outcome: decided.outcome, comment: decided.comment });
    this.onChange();
    return decided;
  }
}
