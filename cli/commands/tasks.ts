/** `tasks`: my open tasks (for the roles my key's person holds), soonest due first. */
import { api } from '../api-client';
import type { Command } from '../command';
import { printJson, printTable, relative, withProgress } from '../output';

interface MyTask { workflowId: string; process: string; overdue: boolean; task: { id: string; title: string; outcomes: string[]; dueAt?: string } }

export const tasks: Command = {
  name: 'tasks',
  summary: 'my open tasks, soonest due first',
  usage: 'tasks [--json]',
  options: { json: { type: 'boolean' } },
  async run(_args, values) {
    const answer = await withProgress('collecting your tasks', () => api<{ tasks: MyTask[] }>('GET', '/tasks'));
    if (values.json) return printJson(answer.tasks), 0;
    printTable(['INSTANCE', 'TASK', 'TITLE', 'OUTCOMES', 'DUE'], answer.tasks.map((t) => [t.workflowId, t.task.id, t.task.title, t.task.outcomes.join(' | '), t.task.dueAt ? `${relative(t.task.dueAt)}${t.overdue ? ' OVERDUE' : ''}` : '']));
    return 0;
  },
};
