/** `show <workflow-id>`: one instance's stage, open tasks, deadlines and audit trail. */
import { api, encode } from '../api-client';
import { UsageError, type Command } from '../command';
import { printJson, printTable, relative, withProgress } from '../output';

interface View {
  workflowId: string; process: string; version: number; status: string; outcome: string; reason?: string; stage?: string; businessKey?: string;
  openTasks: { id: string; title: string; roles: string[]; outcomes: string[]; dueAt?: string; breached: boolean }[];
  deadlines: { name: string; at: string; breached: boolean }[];
  audit: { at: string; event: string; stepId?: string; taskId?: string; actor?: string; outcome?: string; comment?: string; detail?: string }[];
  variables: Record<string, unknown>;
}

export const show: Command = {
  name: 'show',
  summary: 'show an instance: stage, open tasks, deadlines (time left, breached) and audit trail',
  usage: 'show <workflow-id> [--json]',
  options: { json: { type: 'boolean' } },
  async run([workflowId, ...extra], values) {
    if (!workflowId || extra.length) throw new UsageError('name one workflow id, e.g. service-amendment/T-100');
    const view = await withProgress('reading the instance', () => api<View>('GET', `/instances/${encode(workflowId)}`));
    if (values.json) return printJson(view), 0;
    console.log(`${view.workflowId}  ${view.process} v${view.version}  ${view.status}${view.outcome !== view.status ? ` (${view.outcome})` : ''}${view.stage ? `  stage: ${view.stage}` : ''}${view.reason ? `  reason: ${view.reason}` : ''}`);
    console.log('\nopen tasks:');
    printTable(['TASK', 'TITLE', 'FOR', 'OUTCOMES', 'DUE'], view.openTasks.map((t) => [t.id, t.title, t.roles.join(', '), t.outcomes.join(' | '), t.dueAt ? `${relative(t.dueAt)}${t.breached ? ' (overdue)' : ''}` : '']));
    if (view.deadlines.length) {
      console.log('\ndeadlines:');
      printTable(['DEADLINE', 'AT', 'LEFT'], view.deadlines.map((d) => [d.name, d.at, d.breached ? 'breached' : relative(d.at)]));
    }
    console.log('\naudit trail:');
    printTable(['AT', 'EVENT', 'WHAT', 'BY'], view.audit.map((a) => [a.at, a.event, [a.taskId ?? a.stepId, a.outcome, a.comment, a.detail].filter(Boolean).join(' '), a.actor]));
    return 0;
  },
};
