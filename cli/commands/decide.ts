/** `decide <workflow-id> <task-id> <outcome>`: decides a task as the person the API key belongs to. */
import { api, encode } from '../api-client';
import { UsageError, type Command } from '../command';
import { printJson, withProgress } from '../output';
import { jsonOption } from './json-option';

export const decide: Command = {
  name: 'decide',
  summary: 'decide an open task as yourself (refused, with the reason, when it does not fit)',
  usage: 'decide <workflow-id> <task-id> <outcome> [--comment TEXT] [--form JSON] [--json]',
  help: 'Who decides is the person of OPS_API_KEY, with the roles the directory gives them.',
  options: { comment: { type: 'string' }, form: { type: 'string' }, json: { type: 'boolean' } },
  async run([workflowId, taskId, outcome, ...extra], values) {
    if (!workflowId || !taskId || !outcome || extra.length) throw new UsageError('name the instance, the task and the outcome');
    const body = { outcome, comment: values.comment as string | undefined, form: jsonOption(values.form, 'form') };
    const receipt = await withProgress('deciding', () =>
      api<{ taskId: string; outcome: string; at: string }>('POST', `/instances/${encode(workflowId)}/tasks/${encode(taskId)}/decision`, body),
    );
    if (values.json) return printJson(receipt), 0;
    console.log(`${receipt.taskId}: ${receipt.outcome} at ${receipt.at}`);
    return 0;
  },
};
