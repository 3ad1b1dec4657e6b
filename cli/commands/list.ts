/** `list`: instances, filtered like the API's listing, one page at a time. */
import { api } from '../api-client';
import type { Command } from '../command';
import { printJson, printTable, relative, withProgress } from '../output';

interface Summary { workflowId: string; process: string; stage?: string; status: string; openTaskRoles: string[]; nextDeadline?: string; overdueSince?: string; startedAt: string }

export const list: Command = {
  name: 'list',
  summary: 'list instances by process, stage, status, open role, business key, deadline or overdue work',
  usage: 'list [--process P] [--stage S] [--status running|completed|cancelled|...] [--role R] [--key K] [--due-before ISO] [--overdue] [--limit N] [--page TOKEN] [--json]',
  options: {
    process: { type: 'string' }, stage: { type: 'string' }, status: { type: 'string' }, role: { type: 'string' }, key: { type: 'string' },
    'due-before': { type: 'string' }, overdue: { type: 'boolean' }, limit: { type: 'string' }, page: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(_args, values) {
    const query = new URLSearchParams();
    const set = (name: string, value: unknown) => value !== undefined && query.set(name, String(value));
    set('process', values.process); set('stage', values.stage); set('status', values.status); set('role', values.role);
    set('businessKey', values.key); set('deadlineBefore', values['due-before']); set('overdue', values.overdue || undefined); set('pageSize', values.limit ?? 50); set('nextPageToken', values.page);
    const answer = await withProgress('listing', () => api<{ instances: Summary[]; nextPageToken?: string }>('GET', `/instances?${query}`));
    if (values.json) return printJson(answer), 0;
    printTable(['INSTANCE', 'STATUS', 'STAGE', 'OPEN FOR', 'NEXT DEADLINE', 'OVERDUE SINCE', 'STARTED'], answer.instances.map((i) => [i.workflowId, i.status, i.stage, i.openTaskRoles.join(', '), relative(i.nextDeadline), relative(i.overdueSince), relative(i.startedAt)]));
    if (answer.nextPageToken) console.log(`more: list ... --page ${answer.nextPageToken}`);
    return 0;
  },
};
