/**
 * Keeps an instance's search attributes (stage, open task roles, next deadline, overdue since) in step with its state.
 * Changes are only noted as they happen and written in one upsert when the instance next waits, so a step
 * that enters a stage and opens a task adds one history event, not one per change.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes, type OpenTask } from './messages';

export interface Searchable {
  stage?: string;
  openTasks: readonly OpenTask[];
  /** ISO instants of the instance's named deadlines. */
  deadlines: readonly string[];
}

export class SearchAttributePublisher {
  private changed = false;
  private published: { stage?: string; roles: string; nextDeadline?: string; overdueSince?: string };

  /**
   * `stage`: the stage the instance already carries (after continue-as-new). `tracksOverdue`: false for
   * instances started before `OverdueSince` existed, which upsert exactly what they did then.
   */
  constructor(private readonly read: () => Searchable, stage?: string, private readonly tracksOverdue = true) {
    this.published = { stage, roles: '' };
  }

  changedNow(): void {
    this.changed = true;
  }

  /** A task went past its due date: without this, a breach would show only once something else changed. */
  taskBreached(): void {
    if (this.tracksOverdue) this.changed = true;
  }

  /** Writes what changed since the last flush, if anything. */
  flush(): void {
    if (!this.changed) return;
    this.changed = false;
    const { stage, openTasks, deadlines } = this.read();
    const roles = [...new Set(openTasks.flatMap((t) => t.roles))].sort();
    const nextDeadline = [...deadlines, ...openTasks.flatMap((t) => (t.dueAt ? [t.dueAt] : []))]
      .filter((iso) => new Date(iso).getTime() > Date.now())
      .sort()[0];
    const overdueSince = this.tracksOverdue ? openTasks.flatMap((t) => (t.breached && t.dueAt ? [t.dueAt] : [])).sort()[0] : undefined;
    const updates: SearchAttributeUpdatePair[] = [];
    if (stage !== this.published.stage) updates.push({ key: searchAttributes.stage, value: stage ?? null });
    if (roles.join(',') !== this.published.roles) updates.push({ key: searchAttributes.openTaskRoles, value: roles.length ? roles : null });
    if (nextDeadline !== this.published.nextDeadline) {
      updates.push({ key: searchAttributes.nextDeadline, value: nextDeadline ? new Date(nextDeadline) : null });
    }
    if (overdueSince !== this.published.overdueSince) {
      updates.push({ key: searchAttributes.overdueSince, value: overdueSince ? new Date(overdueSince) : null });
    }
    this.published = { stage, roles: roles.join(','), nextDeadline, overdueSince };
    if (updates.length) upsertSearchAttributes(updates);
  }
}
