/** `processes`: the definitions the API can start, with their versions. */
import { api } from '../api-client';
import type { Command } from '../command';
import { printJson, printTable, withProgress } from '../output';

interface ProcessSummary { name: string; version: number; title: string; hash: string; input?: { required?: string[] } }

export const processes: Command = {
  name: 'processes',
  summary: 'list the processes that can be started, with their versions',
  usage: 'processes [--json]',
  options: { json: { type: 'boolean' } },
  async run(_args, values) {
    const answer = await withProgress('asking the API', () => api<{ processes: ProcessSummary[] }>('GET', '/processes'));
    if (values.json) return printJson(answer.processes), 0;
    printTable(['PROCESS', 'VERSION', 'TITLE', 'REQUIRED INPUT'], answer.processes.map((p) => [p.name, p.version, p.title, (p.input?.required ?? []).join(', ')]));
    return 0;
  },
};
